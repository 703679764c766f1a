using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Certificates.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Marriage;

/// <summary>
/// Public certificate verification (婚姻登记证书核验): the SM2 verification keys, the signed status lists and an online
/// check. No token, rate-limited per client, cacheable (ETag, <c>If-None-Match</c> → 304); nothing personal beyond the
/// masked names the QR itself shows.
/// </summary>
public sealed class PublicCertificateFunctions(PublicCertificateService certificates, HttpEndpoint http)
{
    [Function("PublicVerificationKeys")]
    [PublicEndpoint("公布的证书验证公钥，不含个人信息")]
    [ApiOperation("public", "证书验证公钥（SM2）",
        Description = "民政部门签发证书二维码所用的 SM2 公钥：kid、算法 SM2-SM3、曲线 sm2p256v1、公钥（未压缩点的 base64url）、签名者 ID（GM/T 0009 默认值）、启用时间和停用签发时间。轮换后旧公钥继续公布，用于验证其签发的证书。")]
    [ApiResponse(200, "公钥列表", Body = typeof(PublishedKeySet))]
    [ApiResponse(304, "未修改（If-None-Match）")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Keys(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public/keys")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, certificates.KeysAsync);

    [Function("PublicMarriageStatusList")]
    [PublicEndpoint("公布的证书状态列表（比特串），不含个人信息")]
    [ApiOperation("public", "婚姻登记证书状态列表",
        Description = "一个签发批次的状态列表（W3C Bitstring Status List 风格：每证 2 位，0 有效、1 婚姻关系已终止、2 已作废；GZIP 后 multibase base64url），带版本号并经 SM2 签名，缓存副本可离线核验。")]
    [ApiResponse(200, "已签名的状态列表", Body = typeof(StatusListDocument))]
    [ApiResponse(304, "未修改（If-None-Match）")]
    [ApiResponse(404, "状态列表不存在")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> StatusList(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public/marriage/status-lists/{listId}")] HttpRequest req,
        string listId,
        FunctionContext context) =>
        http.RunAsync(req, context, call => certificates.StatusListAsync(call, listId));

    [Function("VerifyMarriageCertificate")]
    [PublicEndpoint("在线核验证书二维码；仅返回二维码本身所含的信息（姓名已脱敏）")]
    [ApiOperation("public", "在线核验婚姻登记证书二维码", Request = typeof(CertificateVerifyRequest),
        Description = "与离线核验相同的检查（公钥签名、状态列表）：valid 有效、ended 婚姻关系已终止、revoked 已作废、signatureInvalid 签名无效、unknownKey 未知密钥、malformed 格式不正确、statusUnavailable 无法确认状态，附中文原因。")]
    [ApiResponse(200, "核验结果", Body = typeof(CertificateVerificationView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "public/marriage/certificates/verify")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<CertificateVerifyRequest, CertificateVerificationView>(req, context, 4096, certificates.VerifyAsync);
}
