// Writes EventCatalog's content (a domain, its services, their events, commands and channels, each message with its
// JSON Schema) from the system's AsyncAPI document, which the tools/EventDocs generator derives from the code.
// The content is rebuilt on every run and not committed. Usage: node import-asyncapi.mjs <asyncapi.json>
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import utils from '@eventcatalog/sdk';

const file = resolve(process.argv[2] ?? '../docs/asyncapi.json');
const text = await readFile(file, 'utf8');
const { document, diagnostics } = await new Parser().parse(text, { source: file });
const errors = diagnostics.filter(d => d.severity === DiagnosticSeverity.Error);
if (!document || errors.length > 0) {
  errors.forEach(d => console.error(`${d.path.join('.')}: ${d.message}`));
  throw new Error(`${file} is not a valid AsyncAPI document: run ./eng/generate-docs.sh`);
}

const catalog = process.cwd();
for (const folder of ['domains', 'services', 'events', 'commands', 'channels']) {
  await rm(resolve(catalog, folder), { recursive: true, force: true });
}

const sdk = utils(catalog);
const spec = JSON.parse(text);
const version = message => `${message['x-urn'].split(':v').at(-1)}.0.0`;
const title = name => name[0].toUpperCase() + name.slice(1);
const messageOf = ref => spec.components.messages[ref.split('/').at(-1)];

// Channels: every exchange, queue and the stream.
for (const [id, channel] of Object.entries(spec.channels)) {
  await sdk.writeChannel({
    id,
    name: channel.address,
    version: '1.0.0',
    address: channel.address,
    protocols: ['amqp'],
    deliveryGuarantee: 'at-least-once',
    summary: channel.description,
    markdown: [
      channel.description,
      channel['x-dead-letter-queue'] ? `\n- Dead-letter queue: \`${channel['x-dead-letter-queue']}\`` : '',
      channel['x-retry'] ? `- Retry: ${channel['x-retry'].maxAttempts} attempts, backoff ${channel['x-retry'].minBackoff}–${channel['x-retry'].maxBackoff}, max event age ${channel['x-retry'].maxEventAge}` : '',
      channel['x-pattern'] ? `- Pattern: \`${JSON.stringify(channel['x-pattern'])}\`` : '',
      '\n<ChannelInformation />',
    ].filter(Boolean).join('\n'),
  });
}

// Messages: events and commands, each with its schema and an example.
for (const [key, message] of Object.entries(spec.components.messages)) {
  const kind = message['x-eventcatalog-message-type'];
  const write = kind === 'event' ? sdk.writeEvent : sdk.writeCommand;
  const addSchema = kind === 'event' ? sdk.addSchemaToEvent : sdk.addSchemaToCommand;
  await write({
    id: message.name,
    name: message.name,
    version: version(message),
    summary: message.summary,
    owners: [],
    schemaPath: 'schema.json',
    channels: [{ id: key, version: '1.0.0' }],
    markdown: [
      message.summary,
      '',
      `- URN: \`${message['x-urn']}\` (its exchange: \`${spec.channels[key].address}\`)`,
      `- Owner: ${message['x-owner']}`,
      '',
      '<NodeGraph />',
      '',
      '## Schema',
      '',
      '<SchemaViewer file="schema.json" />',
      '',
      '## Example',
      '',
      '```json',
      JSON.stringify(message.examples[0].payload, null, 2),
      '```',
    ].join('\n'),
  });
  await addSchema(message.name, { schema: JSON.stringify(message.payload, null, 2), fileName: 'schema.json' }, version(message));
}

// Services: what each sends and receives, from its operations.
const services = new Map();
for (const operation of Object.values(spec.operations)) {
  const service = services.get(operation['x-service']) ?? { sends: new Map(), receives: new Map() };
  services.set(operation['x-service'], service);
  for (const ref of operation.messages) {
    const message = messageOf(ref.$ref);
    const pointers = operation.action === 'send' ? service.sends : service.receives;
    pointers.set(message.name, { id: message.name, version: version(message) });
  }
}

for (const [id, service] of services) {
  await sdk.writeService({
    id,
    name: title(id),
    version: '1.0.0',
    summary: `The ${title(id)} service: what it publishes, sends and consumes.`,
    sends: [...service.sends.values()],
    receives: [...service.receives.values()],
    specifications: [{ type: 'asyncapi', path: 'asyncapi.json', name: 'EcommerceEda AsyncAPI' }],
    markdown: ['<NodeGraph />', '', '## Operations', '', ...Object.entries(spec.operations)
      .filter(([, operation]) => operation['x-service'] === id)
      .map(([, operation]) => `- ${operation.summary} (${operation.action}, \`${spec.channels[operation.channel.$ref.split('/').at(-1)].address}\`)`)].join('\n'),
  });
  await sdk.addFileToService(id, { content: text, fileName: 'asyncapi.json' });
}

await sdk.writeDomain({
  id: 'store',
  name: 'Store',
  version: '1.0.0',
  summary: spec.info.description,
  services: [...services.keys()].map(id => ({ id, version: '1.0.0' })),
  markdown: ['An online store of four bounded contexts that cooperate only through messages.', '', '<NodeGraph />'].join('\n'),
});

console.log(`Imported ${Object.keys(spec.components.messages).length} messages, ${services.size} services and ${Object.keys(spec.channels).length} channels from ${file}`);
