using Microsoft.Extensions.Options;

namespace RagFood.Server.Ingestion;

/// <summary><c>Ingestion:*</c>: what is loaded into the store when the server starts.</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Ingest the corpus when the server starts (idempotent: unchanged items are skipped).</summary>
    public bool OnStart { get; set; } = true;

    /// <summary>The corpus file; relative paths are under the content root. Unset: <c>data/foods.json</c> under the
    /// content root, else the copy next to the server binary.</summary>
    public string? CorpusPath { get; set; }

    /// <summary>Namespace the corpus goes into (default: the default namespace).</summary>
    public string Namespace { get; set; } = "";

    /// <summary>Records per upsert call.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Write the shipped corpus on start even into a store that already holds records RagFood did not create
    /// from it (a store the user brought). Default false: such a store is left alone and the skip is logged once.</summary>
    public bool IntoExistingStores { get; set; }
}

internal sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options) =>
        options.BatchSize is < 1 or > 1000
            ? ValidateOptionsResult.Fail("Ingestion:BatchSize must be between 1 and 1000 (default 100).")
            : ValidateOptionsResult.Success;
}
