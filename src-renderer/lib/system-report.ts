// Words for the System page, from the system check's report: which rung each ladder takes,
// and a tone per state. Pure, so it is tested without a DOM.
import type { SystemCheckReport, Rung, RungState } from '../../src-shared/system';

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';

const TONES: Record<RungState, Tone> = { ok: 'ok', degraded: 'warn', 'not available': 'bad', 'not tried': 'muted' };

export function tone(state: RungState): Tone {
  return TONES[state];
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function chosen(rungs: Rung[]): Rung | null {
  return rungs.find((r) => r.chosen) ?? null;
}

/** "Training runs on wasm; frozen inference on onnxruntime-cpu." and what keeps the GPU off, if anything. */
export function summary(report: SystemCheckReport): string {
  const train = chosen(report.training);
  const infer = chosen(report.inference);
  const parts = [
    `Training runs on ${train ? train.id : 'nothing (no backend loads)'}; frozen inference on ${infer ? infer.id : 'nothing'}.`,
  ];
  const gpuRungs = [...report.training, ...report.inference].filter(
    (r) => r.id === 'tensorflow-gpu' || r.id === 'onnxruntime-cuda',
  );
  const offline = gpuRungs.filter((r) => r.state !== 'ok');
  if (report.devices.gpus.length && offline.length)
    parts.push(
      `The GPU is not used by ${offline.map((r) => r.id).join(' or ')}: see why below, and run \`npm run setup:gpu\`.`,
    );
  else if (!report.devices.gpus.length) parts.push(`${capitalized(report.devices.note ?? 'no NVIDIA GPU')}.`);
  return parts.join(' ');
}
