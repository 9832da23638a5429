import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricSanity } from '../../../../src-shared/training-doctor/metric-sanity';
import { history, input } from './history';

const classes = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

test('validation at the majority-class rate is a problem naming the class', () => {
  // 80 of 100 validation images are "a"; the head says "a" for everything: 80 %.
  const confusion = [
    [80, 0],
    [20, 0],
  ];
  const epochs = history(1, [{ trainLoss: 0.5, trainAcc: 0.8, valLoss: 0.5, valAcc: 0.8, confusion }]);
  const found = metricSanity(input({ epochs, classes: ['a', 'b'] }));
  const majority = found.find((f) => f.id === 'metric-sanity/majority');
  assert.equal(majority?.severity, 'problem');
  assert.equal(majority!.evidence.figures.majorityRate, 0.8);
  assert.match(majority!.title, /"a"/);
  const collapse = found.find((f) => f.id === 'metric-sanity/collapse');
  assert.equal(collapse?.evidence.figures.predictedShare, 1);
  assert.equal(collapse!.evidence.figures.trueShare, 0.8);
});

test('seed 001: a first epoch at exactly 6/7 for 7 classes', () => {
  const confusion = classes.map((_, i) => classes.map((__, j) => (i === j ? 6 : 0)));
  const epochs = history(1, [
    { trainLoss: 0.4, trainAcc: 6 / 7, valLoss: 0.4, valAcc: 6 / 7, confusion },
    { trainLoss: 0.3, trainAcc: 0.9, valLoss: 0.3, valAcc: 0.9, confusion },
  ]);
  const f = metricSanity(input({ epochs, classes })).find((x) => x.id === 'metric-sanity/k-of-K');
  assert.ok(f);
  assert.equal(f.evidence.figures.k, 6);
  assert.equal(f.evidence.figures.classes, 7);
  assert.deepEqual(f.evidence.epochs, [{ phase: 1, epoch: 0 }]);
});

test('k/K by coincidence with varied predictions, and two classes at 50 %, say nothing', () => {
  // 3/7 correct, predictions spread over every class.
  const confusion = classes.map((_, i) =>
    classes.map((__, j) => (i === j ? (i < 3 ? 1 : 0) : j === (i + 1) % 7 ? 1 : 0)),
  );
  const epochs = history(1, [{ trainLoss: 1, trainAcc: 0.5, valLoss: 1, valAcc: 3 / 7, confusion }]);
  assert.equal(metricSanity(input({ epochs, classes })).filter((f) => f.id !== 'metric-sanity/majority').length, 0);
  const two = history(1, [
    {
      trainLoss: 1,
      trainAcc: 0.5,
      valLoss: 1,
      valAcc: 0.5,
      confusion: [
        [30, 20],
        [30, 20],
      ],
    },
  ]);
  assert.equal(
    metricSanity(input({ epochs: two, classes: ['a', 'b'] })).find((f) => f.id === 'metric-sanity/k-of-K'),
    undefined,
  );
});

test('a healthy confusion matrix raises nothing; collapse reads the test report when there is one', () => {
  const good = [
    [45, 5],
    [5, 45],
  ];
  const epochs = history(1, [{ trainLoss: 0.3, trainAcc: 0.92, valLoss: 0.3, valAcc: 0.9, confusion: good }]);
  assert.deepEqual(metricSanity(input({ epochs, classes: ['a', 'b'] })), []);
  const test = {
    loss: 1,
    accuracy: 0.5,
    macroF1: 0.33,
    perClass: [],
    confusion: [
      [50, 0],
      [49, 1],
    ],
  };
  const [f] = metricSanity(input({ epochs, classes: ['a', 'b'], test }));
  assert.equal(f?.id, 'metric-sanity/collapse');
  assert.match(f!.evidence.text, /On test, 99 of 100 images/);
});
