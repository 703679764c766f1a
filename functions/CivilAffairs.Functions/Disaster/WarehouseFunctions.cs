using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Relief warehouses and their stock: registration, the list, goods received (入库) and the stock ledger.</summary>
public sealed class WarehouseFunctions(WarehouseService warehouses, HttpEndpoint http)
{
    [Function("CreateReliefWarehouse")]
    [RequirePermission(Permission.ManageSupplies)]
    [ApiOperation("disaster", "登记救灾物资仓库", Request = typeof(WarehouseRequest),
        Description = "编号（字母、数字、连字符）、名称、位置（WGS-84）和所属行政区划；只能登记本人管辖范围内的仓库。")]
    [ApiResponse(201, "已登记", Body = typeof(WarehouseView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "超出管辖范围")]
    [ApiResponse(409, "编号已存在")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/warehouses")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<WarehouseRequest, WarehouseView>(req, context, 16 * 1024, warehouses.CreateAsync);

    [Function("ListReliefWarehouses")]
    [RequirePermission(Permission.ViewSupplies)]
    [ApiOperation("disaster", "救灾物资仓库列表", Description = "本人管辖范围内的仓库。")]
    [ApiResponse(200, "仓库", Body = typeof(IReadOnlyList<WarehouseView>))]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/warehouses")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, warehouses.ListAsync);

    [Function("ReceiveReliefStock")]
    [RequirePermission(Permission.ManageSupplies)]
    [ApiOperation("disaster", "物资入库", Request = typeof(ReceiptRequest),
        Description = "物资编码（救灾物资目录）、批次号、有效期（有保质期的物资必填；已过期的批次不能入库）、数量（大于 0）、入库单号（可选）。同一批次再次入库时有效期须一致。")]
    [ApiResponse(200, "已入库", Body = typeof(ReceiptView))]
    [ApiResponse(400, "数量、物资编码、有效期等不符合要求")]
    [ApiResponse(404, "仓库不存在或不在管辖范围内")]
    [ApiResponse(409, "批次有效期不一致")]
    public Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/warehouses/{id}/receipts")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<ReceiptRequest, ReceiptView>(req, context, 16 * 1024, (call, body) => warehouses.ReceiveAsync(call, id, body));

    [Function("GetReliefStock")]
    [RequirePermission(Permission.ViewSupplies)]
    [ApiOperation("disaster", "仓库库存与出入库台账",
        Description = "按物资和批次列出在库、已预留、可用数量；按调度单列出预留；台账逐笔列出入库、预留、释放、出库（数量、批次、关联单号、时间、操作人）；replay 表示台账重放结果与当前库存是否一致。")]
    [ApiResponse(200, "库存", Body = typeof(StockView))]
    [ApiResponse(404, "仓库不存在或不在管辖范围内")]
    public Task<IActionResult> Stock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/warehouses/{id}/stock")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => warehouses.StockAsync(call, id));
}
