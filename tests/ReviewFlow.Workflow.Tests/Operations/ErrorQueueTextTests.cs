using System.Text;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Workflow.Tests.Operations;

/// <summary>What the operations page shows of a message in an error queue: its reasons, a safe preview, a stable id.</summary>
public sealed class ErrorQueueTextTests
{
    [Fact]
    public void A_refusal_with_two_fields_gives_two_reasons_and_an_unknown_types_list_of_known_types_stays_in_its_reason()
    {
        var reasons = ErrorQueue.Reasons("invalid classification: documentType: unknown document type 'recipe'; known: claim, invoice; confidence: must be between 0 and 1, got 1.5");
        Assert.Equal(["documentType: unknown document type 'recipe'; known: claim, invoice", "confidence: must be between 0 and 1, got 1.5"], reasons);
    }

    [Fact]
    public void A_genuine_fault_is_one_reason_as_it_stands_and_none_is_said_so()
    {
        Assert.Equal(["Npgsql.NpgsqlException: the database is restarting"], ErrorQueue.Reasons("Npgsql.NpgsqlException: the database is restarting"));
        Assert.Equal(["(no reason recorded)"], ErrorQueue.Reasons(null));
    }

    [Fact]
    public void The_preview_has_no_control_or_direction_characters_and_a_long_body_is_cut()
    {
        var preview = ErrorQueue.Preview(Encoding.UTF8.GetBytes("{\"a\":\"x\u0000\u001b[31m\u202Eevil\"}\n"));
        Assert.Equal("{\"a\":\"x  [31m evil\"}", preview);
        var cut = ErrorQueue.Preview(Encoding.UTF8.GetBytes(new string('x', 5000)));
        Assert.Equal(401, cut.Length);
        Assert.EndsWith("…", cut);
    }

    [Fact]
    public void A_message_without_an_id_is_known_by_its_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"documentId\":\"INV-1\"}");
        Assert.Equal(ErrorQueue.IdOf(null, body), ErrorQueue.IdOf("", body));
        Assert.NotEqual(ErrorQueue.IdOf(null, body), ErrorQueue.IdOf(null, Encoding.UTF8.GetBytes("{\"documentId\":\"INV-2\"}")));
        Assert.Equal("m-1", ErrorQueue.IdOf("m-1", body));
    }
}
