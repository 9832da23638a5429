import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterLine, adapterRecord, isSoftware, refusal } from '../../../../src-node-shared/webgpu/adapter';

// What Dawn reports for Mesa 25's lavapipe, and for an NVIDIA card through Vulkan.
const lavapipe = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe',
  description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
  isFallbackAdapter: true,
};
const nvidia = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H100 80GB HBM3 (535.104.05)',
  isFallbackAdapter: false,
};

test('a software adapter is refused, naming itself and the setting that allows it', () => {
  assert.equal(isSoftware(lavapipe), true);
  assert.equal(isSoftware({ ...lavapipe, isFallbackAdapter: false, architecture: '' }), true, 'known by its name too');
  const why = refusal(lavapipe, {});
  assert.match(
    why!,
    /only WebGPU adapter is a software one \(mesa software \(llvmpipe: Mesa 25\.0\.7.*STUDIO_WEBGPU_ALLOW_SOFTWARE=1/,
  );
  assert.equal(refusal(lavapipe, { STUDIO_WEBGPU_ALLOW_SOFTWARE: '1' }), null);
});

test('a hardware adapter is taken, and its record keeps the limits the device asked for', () => {
  assert.equal(refusal(nvidia, {}), null);
  const rec = adapterRecord(nvidia, { maxStorageBuffersPerShaderStage: 96 });
  assert.deepEqual(rec, {
    vendor: 'nvidia',
    architecture: 'hopper',
    device: '',
    description: nvidia.description,
    software: false,
    limits: { maxStorageBuffersPerShaderStage: 96 },
  });
  assert.equal(adapterLine(rec), 'nvidia hopper (NVIDIA H100 80GB HBM3 (535.104.05))');
});

test('no adapter at all: the reason says what the machine lacks', () => {
  const why = refusal(null, { VK_DRIVER_FILES: '/nowhere/lvp_icd.json', LD_LIBRARY_PATH: '' })!;
  assert.match(why, /^no WebGPU adapter: /);
  assert.match(
    why,
    /Vulkan loader \(libvulkan\.so\.1\) is not installed|Dawn accepted none of the Vulkan drivers \(lvp_icd\.json\)/,
  );
});
