using System.Text.Json;
using System.Text.Json.Serialization;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>
/// JSON for stored dispatch rows: the platform convention plus a converter for <see cref="GeoPoint"/> (a struct with
/// get-only properties, which System.Text.Json would otherwise read back as 0,0).
/// </summary>
public static class DispatchJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonDefaults.Options);
        options.Converters.Add(new GeoPointConverter());
        return options;
    }

    sealed class GeoPointConverter : JsonConverter<GeoPoint>
    {
        sealed record Shape(double Latitude, double Longitude, double? Altitude);

        public override GeoPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var shape = JsonSerializer.Deserialize<Shape>(ref reader, JsonDefaults.Options) ?? throw new JsonException("GeoPoint expected.");
            return new GeoPoint(shape.Latitude, shape.Longitude, shape.Altitude);
        }

        public override void Write(Utf8JsonWriter writer, GeoPoint value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, new Shape(value.Latitude, value.Longitude, value.Altitude), JsonDefaults.Options);
    }
}
