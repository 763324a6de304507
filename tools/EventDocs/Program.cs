using EcommerceEda.EventDocs;

// Regenerates docs/ from the code: asyncapi.json, events.md and a JSON Schema per message and version.
return DocsCommand.Run(args, Console.Out, Console.Error);
