/**
 * Every `stock-rsi` subcommand: the four steps and `run`, which chains them. This is the command
 * a laptop runs (`steps/cli.ts`); each step's container image carries only its own subcommand.
 */
import { computeCommand } from "../compute-rsi/command.ts";
import { fetchCommand } from "../fetch/command.ts";
import { persistCommand } from "../persist/command.ts";
import { runCommand } from "../run/command.ts";
import { validateCommand } from "../validate/command.ts";
import type { CommandFactory } from "./program.ts";

export const ALL_COMMANDS: readonly CommandFactory[] = [
  fetchCommand,
  computeCommand,
  validateCommand,
  persistCommand,
  runCommand,
];
