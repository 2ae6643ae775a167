using System.Text.Json;
using static RagFood.Core.VectorStores.Kernel.VectorStoreLimits;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>One message per rule of <see cref="VectorStoreRules"/>, written so a caller knows what to change.</summary>
/// <remarks>Messages quote at most the first 32 characters of a caller's value and escape control characters, so
/// an id full of ANSI escapes cannot colour a terminal or split a log line.</remarks>
public static class VectorStoreMessages
{
    public const string NamespaceNull = "The namespace must not be null; the default namespace is \"\".";
    public const string NamespaceControlCharacter = "A namespace must not contain control characters (NUL, ESC, CR, LF, ...).";
    public const string DefaultNamespaceDelete = "The default namespace \"\" cannot be deleted; reset it instead.";
    public const string IdEmpty = "A record id must not be empty or only whitespace.";
    public const string RecordsNull = "An upsert needs a record list (it may be empty).";
    public const string QueryTextOrVector = "A query needs exactly one of text and vector.";
    public const string QueryTextEmpty = "The query text is empty or only whitespace; there is nothing to embed.";
    public const string FetchSelector = "A fetch needs exactly one of ids and prefix.";
    public const string DeleteSelector = "A delete needs exactly one of ids, prefix and filter.";
    public const string DeleteEmptyPrefix = "An empty prefix would delete the whole namespace; use reset for that.";
    public const string CursorNull = "The range cursor must not be null; \"\" starts at the beginning.";
    public const string PrefixControlCharacter = "An id prefix must not contain control characters (NUL, ESC, CR, LF, ...).";

    public static string NamespaceTooLong(int length) =>
        $"A namespace is at most {MaxNamespaceLength} characters (got {length}).";

    public static string NamespacePath(string @namespace) =>
        $"Namespace '{Quote(@namespace)}' must not contain '/', '\\' or '..'.";

    public static string IdTooLong(int length) => $"A record id is at most {MaxIdLength} characters (got {length}).";

    public static string IdControlCharacter(string id) =>
        $"Record id '{Quote(id)}' contains a control character (NUL, ESC, CR, LF, ...); ids must be printable.";

    public static string TooManyIds(int count) => $"At most {MaxBatchSize} ids per call (got {count}); split the rest.";

    public static string TooManyRecords(int count) => $"An upsert takes at most {MaxBatchSize} records (got {count}); split the rest.";

    public static string RecordNull(int index) => $"Record {index} is null.";

    public static string NothingToEmbed(string id) =>
        $"Record '{Quote(id)}' has no vector and its text is empty or only whitespace; there is nothing to embed.";

    public static string MixedDimensions(string id, int length, string firstId, int firstLength) =>
        $"Record '{Quote(id)}' has a {length}-d vector while record '{Quote(firstId)}' has {firstLength}; one upsert writes one dimension.";

    public static string TopK(int topK) => $"topK must be between 1 and {MaxTopK} (got {topK}).";

    public static string RangeLimit(int limit) => $"The range limit must be between 1 and {MaxBatchSize} (got {limit}).";

    public static string PrefixTooLong(int length) => $"An id prefix is at most {MaxIdLength} characters (got {length}).";

    public static string VectorEmpty(string what) => $"{what} is empty.";

    public static string VectorNotFinite(string what) => $"{what} contains NaN or an infinite value.";

    public static string WrongDimension(string what, int length, string store, int dimension) =>
        $"{what} has {length} dimensions; the {store} store holds {dimension}-dimensional vectors.";

    public static string MetadataNotObject(string id, JsonValueKind kind) =>
        $"The metadata of record '{Quote(id)}' must be a JSON object (got {kind}).";

    public static string MetadataTooLarge(string id, int bytes) =>
        $"The metadata of record '{Quote(id)}' is {bytes} bytes as JSON; the limit is {MaxMetadataBytes} bytes.";

    public static string MetadataTooDeep(string id) =>
        $"The metadata of record '{Quote(id)}' is nested more than {MaxMetadataDepth} levels deep.";

    public static string MetadataKeyTooLong(string id, int length) =>
        $"The metadata of record '{Quote(id)}' has a key of {length} characters; the limit is {MaxMetadataKeyLength}.";

    public static string MetadataTooManyKeys(string id) =>
        $"The metadata of record '{Quote(id)}' has more than {MaxMetadataKeys} keys (counted over every nested object).";

    /// <summary>A caller's value shortened to 32 characters with control characters shown as <c>\uXXXX</c>.</summary>
    public static string Quote(string value)
    {
        var shown = value.Length > 32 ? value[..32] + "…" : value;
        if (!VectorStoreRules.HasControlCharacter(shown))
        {
            return shown;
        }

        var builder = new System.Text.StringBuilder(shown.Length + 16);
        foreach (var c in shown)
        {
            if (c < ' ' || c is >= '\u007f' and <= '\u009f')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
