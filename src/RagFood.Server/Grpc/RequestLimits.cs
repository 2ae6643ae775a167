using Grpc.Core;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Server.Grpc;

/// <summary>The documented request limits, and checks that fail with InvalidArgument and a message saying what to change.</summary>
internal static class RequestLimits
{
    public const int MaxQuestionLength = 2000;
    public const int MaxAskTopK = 20;
    public const int MaxQueryTopK = 100;
    public const int DefaultQueryTopK = 10;
    public const int MaxTextLength = 8000;
    public const int MaxIdLength = VectorStoreLimits.MaxIdLength;
    public const int MaxRecordsPerCall = VectorStoreLimits.MaxBatchSize;
    public const int MaxRangeLimit = VectorStoreLimits.MaxBatchSize;
    public const int DefaultRangeLimit = 100;
    public const int MaxNamespaceLength = VectorStoreLimits.MaxNamespaceLength;
    public const int MaxFilterLength = 4096;

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static string Question(string question)
    {
        if (string.IsNullOrWhiteSpace(question))
        {
            throw Invalid("question is empty: ask something, e.g. \"What is a good vegetarian dish from India?\"");
        }

        if (question.Length > MaxQuestionLength)
        {
            throw Invalid($"question is {question.Length} characters long; the limit is {MaxQuestionLength}.");
        }

        return question.Trim();
    }

    /// <summary>0 means <paramref name="defaultValue"/>; otherwise 1..<paramref name="max"/>.</summary>
    public static int TopK(int topK, int defaultValue, int max)
    {
        if (topK == 0)
        {
            return defaultValue;
        }

        if (topK < 1 || topK > max)
        {
            throw Invalid($"top_k is {topK}; use 1 to {max} (0 means {defaultValue}).");
        }

        return topK;
    }

    public static string Namespace(string @namespace)
    {
        if (@namespace.Length > MaxNamespaceLength)
        {
            throw Invalid($"namespace is {@namespace.Length} characters long; the limit is {MaxNamespaceLength}.");
        }

        return Kernel(() => VectorStoreRules.Namespace(@namespace));
    }

    public static MetadataFilter? Filter(string filter)
    {
        if (filter.Length > MaxFilterLength)
        {
            throw Invalid($"filter is {filter.Length} characters long; the limit is {MaxFilterLength}.");
        }

        try
        {
            return MetadataFilter.Parse(filter);
        }
        catch (FilterSyntaxException ex)
        {
            throw Invalid($"filter is not valid: {StripParameter(ex)}");
        }
    }

    public static string Id(string id, string field = "id")
    {
        if (string.IsNullOrEmpty(id))
        {
            throw Invalid($"{field} is empty: every record needs an id.");
        }

        if (id.Length > MaxIdLength)
        {
            throw Invalid($"{field} '{id[..32]}…' is {id.Length} characters long; the limit is {MaxIdLength}.");
        }

        if (VectorStoreRules.HasControlCharacter(id))
        {
            throw Invalid($"{field} '{VectorStoreMessages.Quote(id)}' contains a control character (NUL, ESC, CR, LF, ...); ids and prefixes must be printable.");
        }

        return field == "prefix" ? id : Kernel(() => VectorStoreRules.Id(id), field);
    }

    public static string? Text(string? text, string field)
    {
        if (text is not null && text.Length > MaxTextLength)
        {
            throw Invalid($"{field} is {text.Length} characters long; the limit is {MaxTextLength}.");
        }

        return text;
    }

    public static void Count(int count, string field, int max = MaxRecordsPerCall)
    {
        if (count == 0)
        {
            throw Invalid($"{field} is empty: send 1 to {max}.");
        }

        if (count > max)
        {
            throw Invalid($"{field} has {count} entries; send at most {max} per call and split the rest.");
        }
    }

    public static int RangeLimit(int limit)
    {
        if (limit == 0)
        {
            return DefaultRangeLimit;
        }

        if (limit < 1 || limit > MaxRangeLimit)
        {
            throw Invalid($"limit is {limit}; use 1 to {MaxRangeLimit} (0 means {DefaultRangeLimit}).");
        }

        return limit;
    }

    /// <summary>Runs one of the kernel's rules (<see cref="VectorStoreRules"/>) and turns its refusal into InvalidArgument.</summary>
    /// <param name="check">The rule.</param>
    /// <param name="context">Prepended to the message, e.g. <c>records[3]</c>.</param>
    public static T Kernel<T>(Func<T> check, string? context = null)
    {
        try
        {
            return check();
        }
        catch (ArgumentException ex)
        {
            throw Invalid(context is null ? StripParameter(ex) : $"{context}: {StripParameter(ex)}");
        }
    }

    /// <summary>The exception's message without .NET's " (Parameter 'x')" suffix.</summary>
    public static string StripParameter(ArgumentException exception) =>
        exception.ParamName is { } name ? exception.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : exception.Message;
}
