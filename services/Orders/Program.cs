using EcommerceEda.Orders;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrders();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMessagingOperations();
app.MapOrdersApi();
app.Run();
