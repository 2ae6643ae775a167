// Baseline for the chroma benchmark: the official `chromadb` JS client (tools/node) doing the same work as
// RagFood's ChromaVectorStore, with the same vectors, documents, metadata and batch size.
// Usage: node chroma-bench.mjs --root <repo> --url http://127.0.0.1:PORT --collection NAME --op add|query
//                              --data data.json --batch 100 --topk 10
// Prints one JSON line: {"op":..., "count":..., "seconds":...}; the time covers client creation and every call.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}

const { ChromaClient } = await import(
  pathToFileURL(path.join(args.root, "tools", "node", "node_modules", "chromadb", "dist", "chromadb.mjs")).href
);
const data = JSON.parse(readFileSync(args.data, "utf8"));
const batch = Number(args.batch ?? 100);
const topK = Number(args.topk ?? 10);
const url = new URL(args.url);

const start = process.hrtime.bigint();
const client = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false });
let count = 0;
if (args.op === "add") {
  const collection = await client.getOrCreateCollection({
    name: args.collection,
    embeddingFunction: null,
    configuration: { hnsw: { space: "cosine" } },
  });
  for (let i = 0; i < data.ids.length; i += batch) {
    await collection.upsert({
      ids: data.ids.slice(i, i + batch),
      embeddings: data.vectors.slice(i, i + batch),
      documents: data.documents.slice(i, i + batch),
      metadatas: data.metadatas.slice(i, i + batch),
    });
    count += Math.min(batch, data.ids.length - i);
  }
} else if (args.op === "query") {
  const collection = await client.getOrCreateCollection({ name: args.collection, embeddingFunction: null });
  for (const vector of data.queries) {
    const result = await collection.query({
      queryEmbeddings: [vector],
      nResults: topK,
      include: ["documents", "metadatas", "distances"],
    });
    if (result.ids[0].length === 0) {
      throw new Error("query returned nothing");
    }
    count++;
  }
} else {
  throw new Error(`unknown --op ${args.op}`);
}

const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ op: args.op, count, seconds }) + "\n");
