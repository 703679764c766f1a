using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivilAffairs.Application.Platform.Json;

/// <summary>
/// Put on an enum that travels outside the platform's own JSON options — orchestration inputs, outputs, events and custom
/// status are serialised by the Durable Task data converter — so that it is written as the same camelCase text everywhere
/// (and read case-insensitively), never as a number.
/// </summary>
public sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where TEnum : struct, Enum;
