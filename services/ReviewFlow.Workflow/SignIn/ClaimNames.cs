namespace ReviewFlow.Workflow.SignIn;

/// <summary>
/// Claim types: Entra ID app roles arrive as "roles"; reviewer groups as "groups" (group names); the user's stable
/// object id as "oid" ("sub" is pairwise, different in every app registration); delegated scopes as "scp".
/// </summary>
public static class ClaimNames
{
    public const string Role = "roles";
    public const string Group = "groups";
    public const string Name = "name";
    public const string Subject = "sub";
    public const string ObjectId = "oid";
    public const string Scope = "scp";
}
