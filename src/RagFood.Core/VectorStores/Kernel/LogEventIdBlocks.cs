namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The first log EventId of each area's block. An area logs only ids in [start, start + 99]; a new area takes
/// a free block and adds it here and to the table in <c>docs/provider-kernel.md</c>.</summary>
/// <remarks>
/// <code>
/// 1000–1099  Server: corpus ingestion            3000–3099  Server: gRPC edge (errors, auth)
/// 2000–2099  Server: RAG pipeline                3100–3199  SQLite provider (SqliteLog)
/// 2100–2199  Core: decorators (failover 2101–,   3200–3299  Upstash provider (UpstashLog)
///            journaling/replay 2110–, SQLite     4000–4099  Server: health
///            write journal 2130–, logging 2150–) 4100–4199  Chroma provider (ChromaLog)
/// 2200–2299  Core: provider kernel (reserved)    5000–5099  Server: start-up checks (embedding spaces)
/// 7000–7099  Server: usage accounting            7100–7199  Core: usage ledger
/// </code>
/// Free for new stores: 4200–4299 (next: 4300, 4400, ...).
/// </remarks>
public static class LogEventIdBlocks
{
    public const int ServerIngestion = 1000;
    public const int ServerRag = 2000;
    public const int CoreDecorators = 2100;
    public const int Kernel = 2200;
    public const int ServerGrpc = 3000;
    public const int Sqlite = 3100;
    public const int Upstash = 3200;
    public const int ServerHealth = 4000;
    public const int Chroma = 4100;
    public const int ServerStartupChecks = 5000;
    public const int ServerUsage = 7000;
    public const int CoreUsage = 7100;
}
