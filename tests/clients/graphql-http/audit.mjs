// The GraphQL over HTTP audit of graphql-http (the spec's reference implementation) against a running server:
// prints one JSON line, a list of {id, name, status: ok|warn|error, reason}.
import { auditServer } from 'graphql-http';

const results = await auditServer({ url: process.argv[2] });
console.log(JSON.stringify(results.map((r) => ({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }))));
