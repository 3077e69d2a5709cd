// Package bot is Attache's Discord transport: the gateway session, slash
// command registration and routing, deferral and throttled edits, mentions
// and follow-ups, rendering within Discord's limits, rate limits, health and
// metrics. It is thin: answering happens in the commands package.
package bot
