using CivilAffairs.Application.Platform.Files;

namespace CivilAffairs.Application.Tests.Platform.Files;

public class UploadPolicyTests
{
    static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1];
    static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52];
    static readonly byte[] Pdf = "%PDF-1.7\n%âãÏÓ\n1 0"u8.ToArray();
    static readonly byte[] Exe = "MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0"u8.ToArray();
    static readonly UploadKind[] Images = [UploadKind.Jpeg, UploadKind.Png];

    [Fact]
    public void Content_is_recognised_by_magic_bytes_not_by_name()
    {
        Assert.Equal(UploadKind.Jpeg, UploadPolicy.Sniff(Jpeg));
        Assert.Equal(UploadKind.Png, UploadPolicy.Sniff(Png));
        Assert.Equal(UploadKind.Pdf, UploadPolicy.Sniff(Pdf));
        Assert.Null(UploadPolicy.Sniff(Exe));
    }

    [Fact]
    public void Allowed_file_passes_and_gets_a_generated_storage_name()
    {
        var check = UploadPolicy.Check("身份证正面.JPG", "image/jpeg", 200_000, Jpeg, 10 << 20, Images);
        Assert.True(check.Ok);
        Assert.Equal("image/jpeg", check.ContentType);
        Assert.Matches("^[0-9a-f]{32}\\.jpg$", check.SafeName);
    }

    [Theory]
    [InlineData("photo.jpg", "image/jpeg", 0L, "file")]            // empty
    [InlineData("photo.jpg", "image/jpeg", 20_000_000L, "file")]   // over the limit
    [InlineData("photo.png", "image/jpeg", 1000L, "fileName")]     // extension lies
    [InlineData("photo.jpg", "image/png", 1000L, "contentType")]   // declared type lies
    public void Non_conforming_uploads_name_the_failed_check(string name, string type, long length, string field)
    {
        var check = UploadPolicy.Check(name, type, length, Jpeg, 10 << 20, Images);
        Assert.False(check.Ok);
        Assert.Contains(check.Errors, e => e.Field == field);
    }

    [Fact]
    public void Executables_and_disallowed_kinds_are_refused_whatever_their_name()
    {
        Assert.False(UploadPolicy.Check("photo.jpg", "image/jpeg", 1000, Exe, 10 << 20, Images).Ok);
        Assert.False(UploadPolicy.Check("scan.pdf", "application/pdf", 1000, Pdf, 10 << 20, Images).Ok);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\a\\证明.pdf", "证明.pdf")]
    [InlineData("a<b>c|d?.jpg", "a_b_c_d_.jpg")]
    [InlineData("   ", "file")]
    public void Display_names_are_made_safe(string input, string expected) =>
        Assert.Equal(expected, UploadPolicy.SafeDisplayName(input));
}
