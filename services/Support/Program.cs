using EcommerceEda.Support;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSupport();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMessagingOperations();
app.MapSupportApi();
app.Run();
