using System.Globalization;
using System.Text.Json;

namespace CivilAffairs.Domain.Disaster;

/// <summary>
/// A WGS-84 position (the datum of GPS and BeiDou's BDCS to within centimetres; GCJ-02 "Mars"
/// coordinates from Chinese web maps must be converted before they get here). Latitude in
/// [-90, 90], longitude in [-180, 180], both finite; altitude in metres above the ellipsoid, optional.
/// </summary>
public readonly record struct GeoPoint
{
    /// <summary>Mean Earth radius (IUGG R1), metres, used by <see cref="DistanceTo"/>.</summary>
    public const double EarthRadiusMetres = 6_371_008.8;

    /// <exception cref="ArgumentOutOfRangeException">A coordinate is NaN, infinite or out of range.</exception>
    public GeoPoint(double latitude, double longitude, double? altitude = null)
    {
        if (Validate(latitude, longitude, altitude) is { } problem)
            throw new ArgumentOutOfRangeException(problem.Field, problem.Reason);
        Latitude = latitude;
        Longitude = longitude;
        Altitude = altitude;
    }

    public double Latitude { get; }
    public double Longitude { get; }
    public double? Altitude { get; }

    /// <summary>Null when the coordinates make a valid point, otherwise why not (Chinese reason).</summary>
    public static Rejection? Validate(double latitude, double longitude, double? altitude = null)
    {
        if (!double.IsFinite(latitude) || latitude is < -90 or > 90)
            return new("geo.latitude", "纬度必须是 -90 到 90 之间的有效数值", "latitude");
        if (!double.IsFinite(longitude) || longitude is < -180 or > 180)
            return new("geo.longitude", "经度必须是 -180 到 180 之间的有效数值", "longitude");
        if (altitude is { } a && !double.IsFinite(a))
            return new("geo.altitude", "高程必须是有效数值", "altitude");
        return null;
    }

    public static bool TryCreate(double latitude, double longitude, out GeoPoint point, double? altitude = null)
    {
        var problem = Validate(latitude, longitude, altitude);
        point = problem is null ? new GeoPoint(latitude, longitude, altitude) : default;
        return problem is null;
    }

    /// <summary>
    /// Great-circle distance in metres on a sphere of radius <see cref="EarthRadiusMetres"/> (haversine).
    /// Altitude is ignored. Error against the WGS-84 ellipsoid is under 0.5 %.
    /// </summary>
    public double DistanceTo(GeoPoint other) => Haversine(Latitude, Longitude, other.Latitude, other.Longitude);

    internal static double Haversine(double lat1, double lon1, double lat2, double lon2)
    {
        static double Rad(double d) => d * Math.PI / 180.0;
        var dLat = Rad(lat2 - lat1);
        var dLon = Rad(lon2 - lon1);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
              + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusMetres * Math.Asin(Math.Min(1.0, Math.Sqrt(h)));
    }

    /// <summary>True when latitude and longitude are equal (altitude is not compared).</summary>
    public bool SamePosition(GeoPoint other) => Latitude == other.Latitude && Longitude == other.Longitude;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Latitude},{Longitude}");
}

/// <summary>A latitude/longitude rectangle (no antimeridian crossing). Bounds are inclusive.</summary>
public readonly record struct GeoBoundingBox(double MinLatitude, double MinLongitude, double MaxLatitude, double MaxLongitude)
{
    public bool Contains(GeoPoint p) =>
        p.Latitude >= MinLatitude && p.Latitude <= MaxLatitude && p.Longitude >= MinLongitude && p.Longitude <= MaxLongitude;

    public static GeoBoundingBox Of(IEnumerable<GeoPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        double minLat = double.MaxValue, minLon = double.MaxValue, maxLat = double.MinValue, maxLon = double.MinValue;
        var any = false;
        foreach (var p in points)
        {
            any = true;
            minLat = Math.Min(minLat, p.Latitude);
            minLon = Math.Min(minLon, p.Longitude);
            maxLat = Math.Max(maxLat, p.Latitude);
            maxLon = Math.Max(maxLon, p.Longitude);
        }
        if (!any) throw new ArgumentException("No points.", nameof(points));
        return new(minLat, minLon, maxLat, maxLon);
    }
}

/// <summary>
/// A simple polygon given by its outer ring (no holes), in WGS-84. The ring is stored closed:
/// the first and last points are equal, and there are at least four points (three distinct
/// vertices) enclosing a non-zero area. Rings that do not cross the antimeridian only
/// (every area in China qualifies). Edges are straight lines in latitude/longitude space, which is
/// how GeoJSON (RFC 7946 §3.1.1) and CAP 1.2 both read a ring.
/// </summary>
public sealed class GeoPolygon
{
    GeoPolygon(IReadOnlyList<GeoPoint> ring)
    {
        Ring = ring;
        BoundingBox = GeoBoundingBox.Of(ring);
    }

    /// <summary>The closed ring: <c>Ring[0]</c> equals <c>Ring[^1]</c>.</summary>
    public IReadOnlyList<GeoPoint> Ring { get; }

    public GeoBoundingBox BoundingBox { get; }

    /// <summary>
    /// Builds a polygon from ring points in order. An open ring (first ≠ last) is closed by
    /// repeating the first point. Rejected: fewer than three distinct vertices, or zero area.
    /// </summary>
    public static Outcome<GeoPolygon> Create(IEnumerable<GeoPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var ring = points.ToList();
        if (ring.Count > 0 && !ring[0].SamePosition(ring[^1])) ring.Add(ring[0]);
        if (ring.Count < 4)
            return Outcome<GeoPolygon>.Reject("geo.polygon.too_few_points", "多边形至少需要 3 个不同顶点（闭合后 4 个点）", "polygon");
        if (ring.Take(ring.Count - 1).Select(p => (p.Latitude, p.Longitude)).Distinct().Count() < 3)
            return Outcome<GeoPolygon>.Reject("geo.polygon.too_few_points", "多边形至少需要 3 个不同顶点（闭合后 4 个点）", "polygon");
        if (SignedArea(ring) == 0)
            return Outcome<GeoPolygon>.Reject("geo.polygon.degenerate", "多边形面积为零（顶点共线）", "polygon");
        return Outcome<GeoPolygon>.Accept(new GeoPolygon(ring));
    }

    /// <summary>
    /// Builds a polygon from GeoJSON-order coordinate pairs <c>[[lon, lat], [lon, lat], …]</c>
    /// (longitude first, as RFC 7946 §3.1.1 says; a third value is the altitude). Note that CAP 1.2
    /// writes the opposite order, "lat,lon".
    /// </summary>
    public static Outcome<GeoPolygon> FromCoordinates(IEnumerable<IReadOnlyList<double>> lonLatPairs)
    {
        ArgumentNullException.ThrowIfNull(lonLatPairs);
        var points = new List<GeoPoint>();
        var index = 0;
        foreach (var pair in lonLatPairs)
        {
            if (pair is null || pair.Count is < 2 or > 3)
                return Outcome<GeoPolygon>.Reject("geo.polygon.position", $"第 {index + 1} 个坐标必须是 [经度, 纬度] 或 [经度, 纬度, 高程]", "polygon");
            double? alt = pair.Count == 3 ? pair[2] : null;
            if (GeoPoint.Validate(pair[1], pair[0], alt) is { } problem)
                return Outcome<GeoPolygon>.Reject(problem.Code, $"第 {index + 1} 个坐标无效：{problem.Reason}", "polygon");
            points.Add(new GeoPoint(pair[1], pair[0], alt));
            index++;
        }
        return Create(points);
    }

    /// <summary>
    /// Parses a GeoJSON-like coordinate array: a ring <c>[[lon,lat],…]</c>, or the
    /// <c>coordinates</c> of a GeoJSON Polygon <c>[[[lon,lat],…]]</c> with exactly one (outer) ring.
    /// </summary>
    public static Outcome<GeoPolygon> ParseCoordinates(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        double[][]? ring;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
                return Outcome<GeoPolygon>.Reject("geo.polygon.format", "坐标必须是非空数组 [[经度, 纬度], …]", "polygon");
            var first = root[0];
            if (first.ValueKind == JsonValueKind.Array && first.GetArrayLength() > 0 && first[0].ValueKind == JsonValueKind.Array)
            {
                if (root.GetArrayLength() != 1)
                    return Outcome<GeoPolygon>.Reject("geo.polygon.holes", "不支持带内环（洞）的多边形，只接受一个外环", "polygon");
                ring = first.Deserialize<double[][]>();
            }
            else
            {
                ring = root.Deserialize<double[][]>();
            }
        }
        catch (JsonException)
        {
            return Outcome<GeoPolygon>.Reject("geo.polygon.format", "坐标必须是数字数组 [[经度, 纬度], …]", "polygon");
        }
        return ring is null
            ? Outcome<GeoPolygon>.Reject("geo.polygon.format", "坐标必须是非空数组 [[经度, 纬度], …]", "polygon")
            : FromCoordinates(ring);
    }

    /// <summary>The ring as GeoJSON-order pairs <c>[lon, lat]</c>, closed.</summary>
    public IReadOnlyList<double[]> ToCoordinates() => Ring.Select(p => new[] { p.Longitude, p.Latitude }).ToList();

    /// <summary>
    /// True when the point lies inside the polygon or on its boundary (ray casting in
    /// latitude/longitude space; boundary points are tested explicitly so the answer on edges and
    /// vertices is always "inside").
    /// </summary>
    public bool Contains(GeoPoint point)
    {
        if (!BoundingBox.Contains(point)) return false;
        double x = point.Longitude, y = point.Latitude;
        var inside = false;
        for (int i = 0, j = Ring.Count - 2; i < Ring.Count - 1; j = i++)
        {
            double xi = Ring[i].Longitude, yi = Ring[i].Latitude, xj = Ring[j].Longitude, yj = Ring[j].Latitude;
            if (OnSegment(x, y, xi, yi, xj, yj)) return true;
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }

    static bool OnSegment(double x, double y, double x1, double y1, double x2, double y2)
    {
        var cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1);
        if (Math.Abs(cross) > 1e-12) return false;
        return x >= Math.Min(x1, x2) && x <= Math.Max(x1, x2) && y >= Math.Min(y1, y2) && y <= Math.Max(y1, y2);
    }

    /// <summary>Shoelace area in square degrees (sign gives the winding); used only to reject degenerate rings.</summary>
    static double SignedArea(IReadOnlyList<GeoPoint> ring)
    {
        double sum = 0;
        for (var i = 0; i < ring.Count - 1; i++)
            sum += ring[i].Longitude * ring[i + 1].Latitude - ring[i + 1].Longitude * ring[i].Latitude;
        return sum / 2;
    }
}
