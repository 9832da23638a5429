const t0=performance.now();
const tf = await import('@tensorflow/tfjs-node');
console.log('load', performance.now()-t0, tf.getBackend());
const n=10000,d=1280,r=128;
const x=new Float32Array(n*d).map(()=>Math.random()); const w=new Float32Array(d*r).map(()=>Math.random());
for (let k=0;k<3;k++){const t=performance.now(); const a=tf.tensor2d(x,[n,d]); const b=tf.tensor2d(w,[d,r]); const c=tf.matMul(a,b); const o=c.dataSync(); tf.dispose([a,b,c]); console.log('matmul', performance.now()-t);}
