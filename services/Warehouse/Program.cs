using EcommerceEda.Warehouse;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddWarehouse();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMessagingOperations();
app.MapWarehouseApi();
app.Run();
