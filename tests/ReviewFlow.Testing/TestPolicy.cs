namespace ReviewFlow.Testing;

/// <summary>The routing policy every test system runs under: the product defaults without QA sampling, so routing is predictable.</summary>
public static class TestPolicy
{
    public static Dictionary<string, string?> Settings => new()
    {
        ["Routing:KillSwitch"] = "false",
        ["Routing:QaSampleRate"] = "0",
        ["Routing:AlwaysReviewLabels:0"] = "legal-hold",
        ["Routing:DocumentTypes:invoice:Threshold"] = "0.90",
        ["Routing:DocumentTypes:invoice:ReviewerGroup"] = "ap-reviewers",
        ["Routing:DocumentTypes:contract:Threshold"] = "0.95",
        ["Routing:DocumentTypes:contract:ReviewerGroup"] = "legal-reviewers",
        ["Routing:DocumentTypes:contract:FourEyes"] = "true",
        ["Routing:DocumentTypes:claim:Threshold"] = "0.85",
        ["Routing:DocumentTypes:claim:ReviewerGroup"] = "claims-reviewers",
    };
}
