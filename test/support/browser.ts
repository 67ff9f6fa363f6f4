/**
 * A real browser for the tests of what a person sees: Debian's Chromium, headless, driven by
 * playwright-core (which never downloads a browser of its own), with JavaScript disabled the way
 * the Argo UI's sandboxed frame disables it, and with every request that is not the opened file
 * refused and recorded, so a page that tries to load anything from elsewhere is caught.
 *
 * Why playwright-core rather than `chromium --screenshot` / `--dump-dom`: those flags take a
 * fixed window, not the full height of a long page, cannot switch JavaScript off with a
 * documented option, and give no way to ask the DOM a question; a test would parse their output
 * and guess. Here a test gets the screenshot, the serialized DOM, the visible text and queries.
 *
 * When /usr/bin/chromium is missing, the browser tests are skipped with one line, unless `CI` is
 * set: CI must have the browser (`apt-get install chromium`), and there they fail instead.
 */
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { chromium, type Browser, type Page } from "playwright-core";
import { PNG } from "pngjs";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * True when the browser tests can run. Prints one line and returns false when Chromium is
 * missing on a developer's machine; throws when it is missing on CI.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const what = `${CHROMIUM} is missing (Debian: apt-get install chromium)`;
  if (process.env.CI) throw new Error(`CI runs the browser tests, but ${what}`);
  console.warn(`skipping the browser tests: ${what}`);
  return false;
}

export interface OpenedFile {
  /** The page, for queries (`page.locator(...)`); JavaScript in it is off. */
  readonly page: Page;
  /** A PNG of the whole page, its full height. */
  readonly screenshot: Buffer;
  /** The DOM as the browser built it, serialized. */
  readonly dom: string;
  /** The text a reader sees: `innerText` of an HTML page, the `<text>` elements of an SVG one. */
  readonly text: string;
  /** Every URL the page asked for other than the file itself; all of them were refused. */
  readonly otherRequests: readonly string[];
  /** From asking for the file to having its screenshot, in milliseconds. */
  readonly loadToScreenshotMs: number;
  /** Closes the page (the browser stays open). */
  close(): Promise<void>;
}

/** How long a page takes, in milliseconds from asking for the file. */
export interface PageTimings {
  /** To the load event: the document parsed and laid out. */
  readonly load: number;
  /** To a screenshot of the first screen (1280 × 800): what a person waits for. */
  readonly firstScreen: number;
  /** To a screenshot of the whole page, mostly PNG encoding for a long page. */
  readonly fullPage: number;
}

export interface HeadlessChromium {
  /** Opens a local file at the given viewport width (1280 px by default) and takes it in. */
  open(file: string, options?: { width?: number; height?: number }): Promise<OpenedFile>;
  /** Opens a local file in a fresh page and times it; the page is closed again. */
  time(file: string): Promise<PageTimings>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessChromium> {
  // Playwright starts Chromium with a fresh profile in a temp dir of its own and removes it on
  // close (it refuses a --user-data-dir flag); the other flags keep the browser from calling home.
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  async function newPage(file: string, width = 1280, height = 800) {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width, height },
      deviceScaleFactor: 1,
      colorScheme: "light",
      offline: true,
    });
    const page = await context.newPage();
    const url = pathToFileURL(file).href;
    const otherRequests: string[] = [];
    await context.route("**/*", (route) => {
      const requested = route.request().url();
      if (requested === url) return route.continue();
      otherRequests.push(requested);
      return route.abort("blockedbyclient");
    });
    return { context, page, url, otherRequests };
  }

  return {
    async open(file, options = {}) {
      const { context, page, url, otherRequests } = await newPage(file, options.width, options.height);
      const start = performance.now();
      await page.goto(url, { waitUntil: "load" });
      const screenshot = await wholeDocument(page);
      const loadToScreenshotMs = performance.now() - start;
      const dom = await page.content();
      // innerText is HTML's; an SVG document has only textContent, one string per <text>. The
      // expressions are strings: they run in the page, and this project is not typed for the DOM.
      const text = await page.evaluate<string>(
        `document.documentElement instanceof HTMLElement
          ? document.documentElement.innerText
          : [...document.querySelectorAll("text")].map((t) => t.textContent).join("\\n")`,
      );
      return { page, screenshot, dom, text, otherRequests, loadToScreenshotMs, close: () => context.close() };
    },
    async time(file) {
      const { context, page, url } = await newPage(file);
      const start = performance.now();
      await page.goto(url, { waitUntil: "load" });
      const load = performance.now() - start;
      await page.screenshot({ animations: "disabled" });
      const firstScreen = performance.now() - start;
      await wholeDocument(page);
      const fullPage = performance.now() - start;
      await context.close();
      return { load, firstScreen, fullPage };
    },
    async close() {
      await browser.close();
    },
  };
}

/**
 * A PNG of the whole document. Playwright's full-page screenshot measures an HTML page's scroll
 * size and waits forever on an SVG document, so an SVG file is shot at its own size instead.
 */
async function wholeDocument(page: Page): Promise<Buffer> {
  const root = await page.evaluate<{ name: string; width: number; height: number }>(
    `(() => {
      const box = document.documentElement.getBoundingClientRect();
      return { name: document.documentElement.localName, width: Math.ceil(box.width), height: Math.ceil(box.height) };
    })()`,
  );
  if (root.name !== "svg") return page.screenshot({ fullPage: true, animations: "disabled" });
  await page.setViewportSize({ width: root.width, height: root.height });
  return page.screenshot({ animations: "disabled" });
}

export interface PixelCensus {
  readonly width: number;
  readonly height: number;
  /** Share (0–1) of pixels that differ from the top-left pixel, taken as the background. */
  readonly notBackground: number;
  /** Distinct colours, each channel rounded to 16 levels so anti-aliasing does not count. */
  readonly distinctColours: number;
}

/** What a PNG holds, roughly: enough to tell a drawn page from a blank or one-colour one. */
export function pixelCensus(png: Buffer): PixelCensus {
  const image = PNG.sync.read(png);
  const { width, height, data } = image;
  const background = data.readUInt32BE(0);
  const colours = new Set<number>();
  let differing = 0;
  for (let i = 0; i < data.length; i += 4) {
    const rgba = data.readUInt32BE(i);
    if (rgba !== background) differing++;
    colours.add(((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4));
  }
  return { width, height, notBackground: differing / (width * height), distinctColours: colours.size };
}
