using Marten;
using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Reviewing;

namespace ReviewFlow.Teams;

/// <summary>
/// Teams as a place to review (docs/teams.md, "The bot"; docs/adr/0021). The web host answers Teams
/// (<see cref="AddTeamsBot"/>, <see cref="MapTeamsBot"/>); the worker posts the task cards (its notification jobs) and
/// keeps them current (<see cref="AddTeamsCards"/>).
/// </summary>
public static class TeamsSlice
{
    /// <summary>The worker's queue of task changes for the posted cards (competing: one worker updates each card).</summary>
    public const string CardsQueue = "reviewflow-teams-cards";

    /// <summary>What both hosts need: the options, the connector client, the card builder, the stored posts and members.</summary>
    static IHostApplicationBuilder AddTeams(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TeamsOptions>().Bind(builder.Configuration.GetSection(TeamsOptions.Section));
        builder.Services.AddHttpClient(BotConnector.HttpClientName);
        builder.Services.TryAddSingleton<BotConnector>();
        builder.Services.TryAddSingleton<GroupDirectory>();
        builder.Services.TryAddSingleton<TaskCards>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Schema.For<TeamsCardPost>().DocumentAlias("teams_card_post");
            opts.Schema.For<TeamsMember>().DocumentAlias("teams_member").Index(x => x.UserId);
        });
        return builder;
    }

    /// <summary>The web host: the Bot Connector's authentication scheme and what answers the activities.</summary>
    public static IHostApplicationBuilder AddTeamsBot(this IHostApplicationBuilder builder)
    {
        builder.AddTeams();
        BotEndpoint.AddScheme(builder);
        builder.Services.AddSingleton<TeamsUsers>();
        builder.Services.AddScoped<CardActions>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTeamsBot(this IEndpointRouteBuilder app)
    {
        app.MapPost(BotEndpoint.Path, BotEndpoint.HandleAsync).RequireAuthorization(BotEndpoint.Policy).WithTags("Teams")
            .Accepts<object>("application/json").Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Bot Framework activities from Teams (Bot Connector token only): card actions and chat messages");
        return app;
    }

    /// <summary>The worker: the connector for the notification jobs' card posts, and the refresher of posted cards.</summary>
    public static IHostApplicationBuilder AddTeamsCards(this IHostApplicationBuilder builder)
    {
        builder.AddTeams();
        return builder.AddBusPart(new BusPart(
            x => x.AddConsumer<TeamsCardRefresher>().ExcludeFromConfigureEndpoints(),
            (context, cfg, bus) => cfg.ReceiveEndpoint(CardsQueue, e =>
            {
                bus.Owned(e);
                e.ConcurrentMessageLimit = 8;
                e.ConfigureConsumer<TeamsCardRefresher>(context);
            })));
    }
}
