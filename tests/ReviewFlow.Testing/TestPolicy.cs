namespace ReviewFlow.Testing;

/// <summary>
/// The routing policy every test system runs under: the product defaults without QA sampling and without SLAs, so
/// routing is predictable and no timer fires unless a test asks for one.
/// </summary>
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
        // No SLA timers unless a test system sets them: the worker's shipped appsettings.json (with SLAs) may or may
        // not be the appsettings.json in a test's output folder (the web host's has the same name), so say it here.
        ["Routing:DocumentTypes:invoice:Sla"] = "",
        ["Routing:DocumentTypes:contract:Sla"] = "",
        ["Routing:DocumentTypes:claim:Sla"] = "",
    };
}
