// Checks scimulate's HAR report (docs/reports.md) with har-validator, the
// HAR 1.2 JSON Schema validator nobody on this project wrote, then what the
// schema cannot say: page ids are unique, every entry names a page, an
// unanswered request (status 0) says why, and no secret given in
// HAR_SECRETS (one per line) appears anywhere in the file.
//
// Usage: node check.js FILE.har [EXPECTED_PAGE_TITLE...]
// Exit 0 when all holds, 1 with one line per problem, 2 on bad usage.
"use strict";

const fs = require("fs");
const validate = require("har-validator");

async function main() {
  const [file, ...titles] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node check.js FILE.har [EXPECTED_PAGE_TITLE...]");
    process.exit(2);
  }
  const text = fs.readFileSync(file, "utf8");
  const har = JSON.parse(text);
  const problems = [];
  try {
    await validate.har(har);
  } catch (e) {
    for (const err of e.errors || [e]) {
      problems.push(`har-validator: ${err.dataPath || ""} ${err.message}`);
    }
  }
  const log = har.log || {};
  const pages = log.pages || [];
  const entries = log.entries || [];
  const ids = new Set();
  for (const p of pages) {
    if (ids.has(p.id)) problems.push(`page id ${p.id} is used twice`);
    ids.add(p.id);
  }
  for (const t of titles) {
    if (!pages.some((p) => p.title === t)) problems.push(`no page titled ${JSON.stringify(t)}`);
  }
  let unanswered = 0;
  entries.forEach((e, i) => {
    if (!ids.has(e.pageref)) problems.push(`entry ${i}: pageref ${e.pageref} names no page`);
    if (e.response && e.response.status === 0) {
      unanswered += 1;
      if (!e.response.comment) problems.push(`entry ${i}: status 0 without a comment saying why`);
    }
  });
  const secrets = (process.env.HAR_SECRETS || "").split("\n").filter((s) => s.length >= 8);
  // A check of no secret would pass whatever the file holds.
  if (secrets.length === 0) problems.push("no secret to check for: HAR_SECRETS is empty or masked");
  for (const s of secrets) {
    if (text.includes(s)) problems.push(`a secret handed out by the run (${s.length} characters) is in the file`);
  }
  if (entries.length === 0) problems.push("no entries");
  if (problems.length) {
    for (const p of problems) console.log(`${file}: ${p}`);
    process.exit(1);
  }
  console.log(
    `${file}: valid HAR ${log.version} (har-validator ${require("har-validator/package.json").version}): ` +
      `${pages.length} pages, ${entries.length} entries, ${unanswered} unanswered, ` +
      `${secrets.length} secrets checked absent`
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
