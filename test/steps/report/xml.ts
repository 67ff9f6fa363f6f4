/**
 * Reading the report and the chart the way a strict XML parser does, so their structure can be
 * checked without a browser: any warning or error (an unescaped `&` or `<`, an unclosed tag)
 * fails the parse. The report is written as polyglot markup for exactly this reason.
 */
import { DOMParser, onWarningStopParsing, type Document, type Element } from "@xmldom/xmldom";

export function parseXml(text: string): Document {
  return new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, "application/xml");
}

/** Every element named `tag` below `root`, in document order. */
export function elements(root: Document | Element, tag: string): Element[] {
  return Array.from(root.getElementsByTagName(tag));
}

/** The elements named `tag` whose class list holds `className`. */
export function withClass(root: Document | Element, tag: string, className: string): Element[] {
  return elements(root, tag).filter((e) => (e.getAttribute("class") ?? "").split(/\s+/).includes(className));
}

export function text(node: Element): string {
  return node.textContent ?? "";
}

/** The subpaths of an SVG path's `d`: each starts with `M`. */
export function subpaths(d: string): string[] {
  return d.split(/(?=M)/).filter((s) => s !== "");
}

/**
 * The points of one subpath, in absolute coordinates: `M x y` then any of `L x y` (absolute),
 * `l dx dy …` (relative, repeated) and `h dx`. Enough for the paths this project draws.
 */
export function pathPoints(subpath: string): { x: number; y: number }[] {
  const tokens = subpath.match(/[MLlh]|-?\d+(?:\.\d+)?/g) ?? [];
  const points: { x: number; y: number }[] = [];
  let command = "";
  let x = 0;
  let y = 0;
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i]!;
    if (/^[MLlh]$/.test(token)) {
      command = token;
      i++;
      continue;
    }
    if (command === "h") {
      x += Number(token);
      i += 1;
    } else {
      const a = Number(token);
      const b = Number(tokens[i + 1]);
      if (command === "l") {
        x += a;
        y += b;
      } else {
        x = a;
        y = b;
      }
      i += 2;
    }
    const last = points.at(-1);
    if (!last || last.x !== x || last.y !== y) points.push({ x, y });
  }
  return points;
}

/** The ranking rows as a reader sees them, across the ranking's columns (one `ol.rank` each). */
export function reportRows(html: string) {
  return withClass(parseXml(html), "ol", "rank").flatMap((list) =>
    elements(list, "li").map((li) => {
      const change = withClass(li, "span", "d")[0]!;
      const classes = (e: Element | undefined) => (e?.getAttribute("class") ?? "").split(/\s+/);
      const close = withClass(li, "span", "cl")[0];
      const priceChange = withClass(li, "span", "pc")[0];
      return {
        li,
        rank: text(elements(li, "i")[0]!),
        symbol: text(elements(li, "b")[0]!),
        value: text(withClass(li, "span", "v")[0]!),
        change: text(change),
        /** `up`, `dn` or `` (no change, or none to show), and whether it is bold. */
        changeDirection: classes(change).find((c) => c === "up" || c === "dn") ?? "",
        changeIsBig: classes(change).includes("big"),
        marker: text(withClass(li, "span", "z")[0]!),
        zoneClass: li.getAttribute("class") ?? "",
        /** The close and its change in percent; undefined when the page has no close column. */
        close: close && text(close),
        priceChange: priceChange && text(priceChange),
        priceDirection: classes(priceChange).find((c) => c === "up" || c === "dn") ?? "",
        /** The sparkline; a page of one stored day has none (then this is undefined, whatever the type says). */
        sparkline: elements(li, "svg")[0]!,
      };
    }),
  );
}
