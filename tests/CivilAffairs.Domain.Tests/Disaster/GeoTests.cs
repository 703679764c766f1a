using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

public class GeoTests
{
    [Fact]
    public void One_degree_of_latitude_is_r_times_pi_over_180()
    {
        var d = new GeoPoint(0, 0).DistanceTo(new GeoPoint(1, 0));
        Assert.Equal(GeoPoint.EarthRadiusMetres * Math.PI / 180, d, 6);
        Assert.Equal(111_195.08, d, 0.01);
    }

    [Fact]
    public void Haversine_matches_known_city_distance_and_is_symmetric()
    {
        var beijing = new GeoPoint(39.9042, 116.4074);
        var shanghai = new GeoPoint(31.2304, 121.4737);
        // Independent check with the spherical law of cosines (same sphere).
        static double Rad(double x) => x * Math.PI / 180;
        var cosines = GeoPoint.EarthRadiusMetres * Math.Acos(
            Math.Sin(Rad(39.9042)) * Math.Sin(Rad(31.2304)) + Math.Cos(Rad(39.9042)) * Math.Cos(Rad(31.2304)) * Math.Cos(Rad(121.4737 - 116.4074)));
        var d = beijing.DistanceTo(shanghai);
        Assert.Equal(cosines, d, 0.01);
        Assert.InRange(d, 1_066_000, 1_069_000);
        Assert.Equal(d, shanghai.DistanceTo(beijing), 9);
        Assert.Equal(0, beijing.DistanceTo(beijing));
    }

    [Theory]
    [InlineData(double.NaN, 113, "geo.latitude")]
    [InlineData(90.0001, 113, "geo.latitude")]
    [InlineData(-91, 113, "geo.latitude")]
    [InlineData(23, 180.5, "geo.longitude")]
    [InlineData(23, double.PositiveInfinity, "geo.longitude")]
    public void Invalid_coordinates_are_refused(double lat, double lon, string code)
    {
        Assert.Equal(code, GeoPoint.Validate(lat, lon)!.Code);
        Assert.False(GeoPoint.TryCreate(lat, lon, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeoPoint(lat, lon));
    }

    [Fact]
    public void Altitude_is_optional_but_must_be_finite()
    {
        Assert.Null(new GeoPoint(23, 113).Altitude);
        Assert.Equal(12.5, new GeoPoint(23, 113, 12.5).Altitude);
        Assert.Equal("geo.altitude", GeoPoint.Validate(23, 113, double.NaN)!.Code);
        Assert.True(GeoPoint.TryCreate(-90, 180, out var pole));
        Assert.Equal(-90, pole.Latitude);
    }

    [Fact]
    public void Open_ring_is_closed_automatically_and_closed_ring_is_kept()
    {
        var open = Fixtures.Square();
        Assert.Equal(5, open.Ring.Count);
        Assert.Equal(open.Ring[0], open.Ring[^1]);

        var closed = GeoPolygon.Create([new(0, 0), new(0, 1), new(1, 1), new(0, 0)]).Value;
        Assert.Equal(4, closed.Ring.Count);
    }

    [Fact]
    public void Ring_with_fewer_than_three_distinct_vertices_or_no_area_is_rejected()
    {
        Assert.Equal("geo.polygon.too_few_points", GeoPolygon.Create([new(0, 0), new(0, 1)]).Rejection!.Code);
        Assert.Equal("geo.polygon.too_few_points", GeoPolygon.Create([new(0, 0), new(0, 1), new(0, 1), new(0, 0)]).Rejection!.Code);
        Assert.Equal("geo.polygon.degenerate", GeoPolygon.Create([new(0, 0), new(1, 1), new(2, 2)]).Rejection!.Code);
        Assert.Equal("geo.polygon.too_few_points", GeoPolygon.Create([]).Rejection!.Code);
    }

    [Fact]
    public void GeoJson_coordinates_are_longitude_first()
    {
        var polygon = GeoPolygon.FromCoordinates([[113.2, 23.1], [113.4, 23.1], [113.4, 23.2], [113.2, 23.2]]).Value;
        Assert.Equal(23.1, polygon.Ring[0].Latitude);
        Assert.Equal(113.2, polygon.Ring[0].Longitude);
        Assert.Equal([113.2, 23.1], polygon.ToCoordinates()[0]);
        Assert.Equal(polygon.ToCoordinates()[0], polygon.ToCoordinates()[^1]);
        Assert.True(polygon.Contains(new GeoPoint(23.15, 113.3)));
        // Swapped order puts "latitude" 113 out of range.
        Assert.Equal("geo.latitude", GeoPolygon.FromCoordinates([[23.1, 113.2], [23.1, 113.4], [23.2, 113.4]]).Rejection!.Code);
    }

    [Fact]
    public void Parse_accepts_a_ring_or_a_single_ring_polygon_and_rejects_holes_nan_and_garbage()
    {
        const string ring = "[[113.2,23.1],[113.4,23.1],[113.4,23.2],[113.2,23.2],[113.2,23.1]]";
        Assert.Equal(5, GeoPolygon.ParseCoordinates(ring).Value.Ring.Count);
        Assert.Equal(5, GeoPolygon.ParseCoordinates("[" + ring + "]").Value.Ring.Count);
        Assert.Equal(12.0, GeoPolygon.ParseCoordinates("[[113.2,23.1,12],[113.4,23.1,12],[113.4,23.2,12]]").Value.Ring[0].Altitude);
        Assert.Equal("geo.polygon.holes", GeoPolygon.ParseCoordinates("[" + ring + "," + ring + "]").Rejection!.Code);
        Assert.Equal("geo.polygon.format", GeoPolygon.ParseCoordinates("[[113.2,\"NaN\"],[113.4,23.1],[113.4,23.2]]").Rejection!.Code);
        Assert.Equal("geo.polygon.format", GeoPolygon.ParseCoordinates("{}").Rejection!.Code);
        Assert.Equal("geo.polygon.format", GeoPolygon.ParseCoordinates("not json").Rejection!.Code);
        Assert.Equal("geo.polygon.position", GeoPolygon.ParseCoordinates("[[113.2],[113.4,23.1],[113.4,23.2]]").Rejection!.Code);
    }

    [Fact]
    public void Point_in_polygon_handles_concave_rings_edges_and_vertices()
    {
        // A "U" (GeoPoint is latitude, longitude): the notch at latitude 1..3, longitude 1..2 is outside.
        var u = GeoPolygon.Create([new(0, 0), new(0, 3), new(3, 3), new(3, 2), new(1, 2), new(1, 1), new(3, 1), new(3, 0)]).Value;
        Assert.True(u.Contains(new GeoPoint(0.5, 0.5)));
        Assert.True(u.Contains(new GeoPoint(2.5, 0.5)));
        Assert.True(u.Contains(new GeoPoint(0.5, 2.5)));
        Assert.False(u.Contains(new GeoPoint(2.0, 1.5)));   // in the notch
        Assert.False(u.Contains(new GeoPoint(2.9, 1.1)));   // in the notch, near its corner
        Assert.True(u.Contains(new GeoPoint(1.5, 2.0)));    // on the notch's edge
        Assert.False(u.Contains(new GeoPoint(4, 1)));       // outside the box
        Assert.True(u.Contains(new GeoPoint(0, 1.5)));      // on an edge
        Assert.True(u.Contains(new GeoPoint(1, 2)));        // on a vertex
        Assert.False(u.Contains(new GeoPoint(-0.0001, 1.5)));
    }

    [Fact]
    public void Bounding_box_spans_the_ring()
    {
        var box = Fixtures.Square().BoundingBox;
        Assert.Equal(new GeoBoundingBox(23.10, 113.20, 23.20, 113.40), box);
        Assert.True(box.Contains(new GeoPoint(23.2, 113.4)));
        Assert.False(box.Contains(new GeoPoint(23.21, 113.3)));
    }
}
