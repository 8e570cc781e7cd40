using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// Who belongs to which reviewer group, for a supervisor's reassignment and overview (the caller's own groups come from
/// their token). Development: the seeded users, with their names. Otherwise: the group lists of the Notifications
/// section (Notifications:Groups:{group}:Reviewers / Supervisors), the one place group membership is configured; those
/// lists hold ids only, so the pages show the id where no name is known.
/// </summary>
public sealed class GroupDirectory
{
    readonly Dictionary<string, (HashSet<string> Reviewers, HashSet<string> Supervisors)> _groups = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public GroupDirectory(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            foreach (var (id, user) in DevUser.FromConfiguration(configuration))
            {
                if (user.Name.Length > 0) _names[id] = user.Name;
                foreach (var group in user.Groups)
                {
                    if (user.Roles.Contains(Roles.Reviewer)) Group(group).Reviewers.Add(id);
                    if (user.Roles.Contains(Roles.Supervisor)) Group(group).Supervisors.Add(id);
                }
            }
            return;
        }
        foreach (var group in configuration.GetSection("Notifications:Groups").GetChildren())
        {
            Group(group.Key).Reviewers.UnionWith(group.GetSection("Reviewers").Get<string[]>() ?? []);
            Group(group.Key).Supervisors.UnionWith(group.GetSection("Supervisors").Get<string[]>() ?? []);
        }
    }

    (HashSet<string> Reviewers, HashSet<string> Supervisors) Group(string name) =>
        _groups.TryGetValue(name, out var g) ? g : _groups[name] = ([], []);

    /// <summary>Null: not a member of the group; otherwise whether they are one of its supervisors.</summary>
    public bool? MemberOf(string userId, string group) => _groups.TryGetValue(group, out var g)
        ? g.Supervisors.Contains(userId) ? true : g.Reviewers.Contains(userId) ? false : null
        : null;

    /// <summary>The groups the user belongs to, and in each whether as a supervisor (the Teams bot's view of a user, who has no token).</summary>
    public IReadOnlyList<(string Group, bool Supervisor)> GroupsOf(string userId) => _groups
        .Where(g => g.Value.Reviewers.Contains(userId) || g.Value.Supervisors.Contains(userId))
        .Select(g => (g.Key, g.Value.Supervisors.Contains(userId))).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();

    /// <summary>The group's members, reviewers first, each by name.</summary>
    public IReadOnlyList<GroupMember> Members(string group) => _groups.TryGetValue(group, out var g)
        ? g.Reviewers.Order(StringComparer.Ordinal).Select(id => new GroupMember(id, NameOf(id), false))
            .Concat(g.Supervisors.Order(StringComparer.Ordinal).Select(id => new GroupMember(id, NameOf(id), true))).ToList()
        : [];

    /// <summary>The display name where one is known, else the id.</summary>
    public string NameOf(string userId) => _names.GetValueOrDefault(userId, userId);
}

/// <summary>A member of a group; Away: out of office (the supervisor overview fills it in, docs/operations.md "Notifications").</summary>
public sealed record GroupMember(string Id, string Name, bool Supervisor, Supervising.MemberAway? Away = null);
