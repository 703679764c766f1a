// The one OData question the Azurite scripts ask: does a table filter fix the partition?
"use strict";

/** Splits an OData filter into words, parentheses and quoted literals ('' is an escaped quote inside a literal). */
function tokens(filter) {
  const result = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i];
    if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= filter.length) return null; // unterminated: not ours to judge
        if (filter[i] === "'") {
          if (filter[i + 1] === "'") { value += "'"; i += 2; continue; }
          i++;
          break;
        }
        value += filter[i++];
      }
      result.push({ literal: value });
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      result.push({ word: c });
      i++;
    } else {
      let word = "";
      while (i < filter.length && !/[\s()']/.test(filter[i])) word += filter[i++];
      result.push({ word });
    }
  }
  return result;
}

/**
 * The partition a filter is limited to, or undefined. A "PartitionKey eq '<value>'" term limits the whole filter when
 * no "or"/"not" sits in the same parenthesis group as the term or in any group around it: then the term is one of the
 * conditions that must all hold ("PartitionKey eq 'a' and (RowKey eq 'x' or ExecutionId eq 'y')" is limited to 'a';
 * "PartitionKey eq 'a' or Status eq 'b'" is not). Two different values, or none, give undefined.
 */
function partitionOf(filter) {
  if (typeof filter !== "string" || filter.length === 0) return undefined;
  const t = tokens(filter);
  if (!t) return undefined;
  // The chain of enclosing groups of every token, as a path of group numbers ("" at the top).
  const paths = [];
  const stack = [];
  let groups = 0;
  for (const x of t) {
    if (x.word === "(") { paths.push(stack.join("/")); stack.push(++groups); continue; }
    if (x.word === ")") { if (stack.length === 0) return undefined; stack.pop(); paths.push(stack.join("/")); continue; }
    paths.push(stack.join("/"));
  }
  if (stack.length !== 0) return undefined;
  const breakers = t.map((x, i) => x.word !== undefined && /^(or|not)$/i.test(x.word) ? paths[i] : null).filter(p => p !== null);
  const encloses = (outer, inner) => outer === "" || inner === outer || inner.startsWith(outer + "/");
  const values = new Set();
  for (let i = 0; i + 2 < t.length; i++) {
    if (t[i].word === "PartitionKey" && t[i + 1].word !== undefined && t[i + 1].word.toLowerCase() === "eq" && t[i + 2].literal !== undefined) {
      if (breakers.some(b => encloses(b, paths[i]))) return undefined;
      values.add(t[i + 2].literal);
    }
  }
  return values.size === 1 ? [...values][0] : undefined;
}

module.exports = { partitionOf };
