using System.Security.Cryptography;
using System.Text;

namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// The saga's correlation id is a name-based UUID of the document id, so every message about a document finds the
/// same instance without a lookup. The event stream itself is keyed by the document id.
/// </summary>
public static class DocumentKey
{
    public static Guid For(string documentId)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes("reviewflow/document/" + documentId));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x30); // version 3 (name-based, MD5)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash, bigEndian: true);
    }
}
