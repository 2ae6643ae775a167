using System.Text;
using Microsoft.Extensions.Options;

namespace RagFood.Server;

/// <summary>How the server reports a start that its configuration makes impossible.</summary>
/// <remarks>Options that fail validation (<see cref="OptionsValidationException"/>), values that do not bind to their
/// type, and the composition's own refusals (TLS files, plaintext beyond loopback, malformed URLs) are all thrown while
/// the host is built or started, with a message naming the key. Left unhandled, .NET prints them as a crash: a stack
/// trace and an abort (exit 134). Failures inside hosted services are also logged by the host with their stack.</remarks>
internal static class StartupFailure
{
    /// <summary>Whether <paramref name="exception"/>, thrown while building or starting the host, is a set-up error.</summary>
    public static bool IsSetupError(Exception exception) => exception is OptionsValidationException or InvalidOperationException;

    /// <summary>One line: the message and the messages of its causes (the binder puts the bad value's reason there).</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = new StringBuilder("RagFood cannot start: ").Append(exception.Message.Trim());
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.ToString().Contains(inner.Message.Trim(), StringComparison.Ordinal))
            {
                text.Append(" (").Append(inner.Message.Trim()).Append(')');
            }
        }

        return text.ToString();
    }
}
