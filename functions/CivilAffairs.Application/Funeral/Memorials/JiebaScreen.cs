using System.Reflection;
using CivilAffairs.Domain.Funeral.Memorials;
using JiebaNet.Segmenter;

namespace CivilAffairs.Application.Funeral.Memorials;

/// <summary>
/// The memorial message screen on jieba.NET word segmentation. jieba.NET reads its dictionaries from files: the package ships
/// them outside <c>lib/</c>, so the build copies them to <c>jieba/</c> beside the assemblies (CivilAffairs.Application.csproj)
/// and the segmenter is pointed there. The word list is the embedded <c>Data/screen-words.txt</c>; its words are added to
/// jieba's dictionary (with jieba's suggested frequency) so that they segment as words where the text does not form a longer
/// word around them. Built once per process (loading the dictionary takes about a second), on first use.
/// </summary>
public sealed class JiebaScreen
{
    public const string WordListResource = "CivilAffairs.Funeral.Memorials.screen-words.txt";

    static readonly Lock Gate = new();
    static MessageScreen? built;

    /// <summary>Where the dictionaries are: <c>jieba/</c> beside this assembly (or the app base directory).</summary>
    public static string DictionaryDirectory
    {
        get
        {
            foreach (var dir in new[] { Path.GetDirectoryName(typeof(JiebaScreen).Assembly.Location), AppContext.BaseDirectory })
                if (dir is { Length: > 0 } && File.Exists(Path.Combine(dir, "jieba", "dict.txt"))) return Path.Combine(dir, "jieba");
            throw new FileNotFoundException("jieba dictionaries not found: expected jieba/dict.txt beside CivilAffairs.Application.dll (copied by the build).");
        }
    }

    /// <summary>The screen with the embedded word list.</summary>
    public static MessageScreen Default
    {
        get
        {
            lock (Gate) return built ??= Build(ReadWordList());
        }
    }

    public static string ReadWordList()
    {
        using var stream = typeof(JiebaScreen).Assembly.GetManifestResourceStream(WordListResource)
            ?? throw new InvalidOperationException($"Embedded resource {WordListResource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A screen over <paramref name="wordList"/> (the word-list format of <see cref="MessageScreen.Parse"/>).</summary>
    public static MessageScreen Build(string wordList)
    {
        lock (Gate)
        {
            ConfigManager.ConfigFileBaseDir = DictionaryDirectory;
            var segmenter = new JiebaSegmenter();
            var entries = MessageScreen.Parse(wordList);
            var screen = new MessageScreen(entries, text => Cut(segmenter, text));
            foreach (var word in screen.Words) segmenter.AddWord(word);
            return screen;
        }
    }

    static IReadOnlyList<string> Cut(JiebaSegmenter segmenter, string text)
    {
        // jieba.NET's segmenter keeps shared state (the dictionary's trie, its regexes): one cut at a time per process.
        lock (Gate) return [.. segmenter.Cut(text, cutAll: false, hmm: true)];
    }
}
