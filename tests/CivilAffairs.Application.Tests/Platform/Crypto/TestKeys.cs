using System.Security.Cryptography;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

static class TestKeys
{
    public static MasterKeys Random(string current = "k1", params string[] others)
    {
        var keys = new Dictionary<string, byte[]> { [current] = RandomNumberGenerator.GetBytes(16) };
        foreach (var id in others) keys[id] = RandomNumberGenerator.GetBytes(16);
        return new MasterKeys(keys, current, RandomNumberGenerator.GetBytes(32));
    }

    public static MasterKeys With(MasterKeys keys, string newCurrent) =>
        new(new Dictionary<string, byte[]>(keys.FieldKeys) { [newCurrent] = RandomNumberGenerator.GetBytes(16) }, newCurrent, keys.BlindIndexKey);
}
