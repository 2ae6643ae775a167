namespace RagFood.Cli;

/// <summary>Process exit codes scripts can rely on (documented in the README and in <c>ragfood --help</c>).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command line is wrong: unknown command or option, missing argument, malformed --address or --vector.</summary>
    public const int Usage = 1;

    /// <summary>The server rejected the request as invalid (InvalidArgument, OutOfRange, FailedPrecondition),
    /// the input file is unusable, or ingest rejected some items.</summary>
    public const int InvalidArgument = 2;

    /// <summary>The server could not be reached, is unavailable, or did not answer before --timeout.</summary>
    public const int Unavailable = 3;

    /// <summary>The server refused the API key (Unauthenticated, PermissionDenied).</summary>
    public const int Unauthenticated = 4;

    /// <summary>Any other failure (NotFound, Internal, ...).</summary>
    public const int Other = 5;

    /// <summary><c>ragfood doctor</c> found at least one problem.</summary>
    public const int SetupProblems = 6;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Cancelled = 130;

    public const string Help = "Exit codes: 0 ok, 1 usage, 2 invalid argument, 3 unavailable, 4 unauthenticated, 5 other, 6 doctor found problems.";
}
