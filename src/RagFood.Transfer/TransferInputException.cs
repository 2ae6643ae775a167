namespace RagFood.Transfer;

/// <summary>A transfer cannot start (or go on) because of what it was asked to do: a missing source, an unusable file,
/// a batch size over the target's limit. Raised before anything is written; the gRPC edge maps it to InvalidArgument.</summary>
public sealed class TransferInputException : ArgumentException
{
    public TransferInputException(string message)
        : base(message)
    {
    }

    public TransferInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
