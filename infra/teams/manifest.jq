# The Teams app manifest (schema 1.25, vendored in schema/), filled in by package.sh from configuration.
# docs/teams.md, "The app package", says what each entry is for.
{
  "$schema": "https://developer.microsoft.com/json-schemas/teams/v1.25/MicrosoftTeams.schema.json",
  manifestVersion: "1.25",
  version: $version,
  id: $appId,
  developer: { name: $developer, websiteUrl: $base, privacyUrl: $privacyUrl, termsOfUseUrl: $termsUrl },
  name: { short: "ReviewFlow", full: "ReviewFlow: review of ML document classifications" },
  description: {
    short: "Review, correct and escalate ML document classifications.",
    full: "ReviewFlow brings the review queue into Teams: the bot posts new review tasks, breaches and escalations to your group's channel as cards you can claim, confirm, correct, reject or escalate from; ask it for your next task in a personal chat; the Review tab is the reviewer workspace, signed in with your Teams account."
  },
  icons: { color: "color.png", outline: "outline.png" },
  accentColor: "#2457D6",
  bots: [{
    botId: $botId,
    scopes: ["team", "personal"],
    isNotificationOnly: false,
    supportsFiles: false,
    commandLists: [{
      scopes: ["personal"],
      commands: [{ title: "my next task", description: "The card of the next task in your groups' queue" }]
    }]
  }],
  staticTabs: [
    { entityId: $tabEntityId, name: "Review", contentUrl: ($base + "/teams"), websiteUrl: ($base + "/"), scopes: ["personal"] },
    { entityId: "about", scopes: ["personal"] }
  ],
  permissions: ["identity", "messageTeamMembers"],
  validDomains: [$host],
  webApplicationInfo: { id: $clientId, resource: $resource },
  showLoadingIndicator: false
}
