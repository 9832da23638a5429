// Every command of the command line, in the order `--help` lists them.
import type { CliCommand } from '../command';
import { importCommand } from './import';
import { infoCommand } from './info';
import { trainCommand } from './train';
import { resumeCommand } from './resume';
import { runsCommand } from './runs';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { predictCommand } from './predict';
import { splitCommand } from './split';
import { dupesCommand } from './dupes';
import { labelsCommand } from './labels';
import { backbonesCommand } from './backbones';
import { doctorCommand } from './doctor';
import { bakeoffCommand } from './bakeoff';
import { suspectsCommand } from './suspects';
import { restoreCommand } from './restore';
import { suggestCommand } from './suggest';

export const commands: readonly CliCommand[] = [
  importCommand,
  infoCommand,
  trainCommand,
  resumeCommand,
  runsCommand,
  evalCommand,
  exportCommand,
  predictCommand,
  splitCommand,
  dupesCommand,
  labelsCommand,
  backbonesCommand,
  doctorCommand,
  bakeoffCommand,
  suspectsCommand,
  restoreCommand,
  suggestCommand,
];
