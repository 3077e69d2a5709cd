// Package commands holds Attache's slash commands, one file each: the
// definition Discord shows and the handler that answers it. Handlers are
// transport-free: they take a Request, call the knowledge base through the
// small interfaces declared here, and return a Reply that the bot renders.
package commands
