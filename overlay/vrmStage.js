// Pickle's VRM model on the overlay, drawn with three.js and @pixiv/three-vrm (ES modules from
// Pickle's own server through the page's import map; nothing is fetched from elsewhere). It only
// renders what it is told: the expressions (eased over the time Pickle gives), blinks and where
// the eyes look come from the avatar machine; the mouth from the voice playing (visemes). Its own
// are the idle breathing and sway (or the persona's .vrma) and the framing. The background stays
// transparent. three.js is loaded only when a model is shown.

/** @typedef {import('../src/screens/payloads.ts').ExpressionWeights} ExpressionWeights */
/** @typedef {import('../src/screens/payloads.ts').VrmExpression} VrmExpression */

/** @type {VrmExpression[]} */
const EXPRESSIONS = ['happy', 'angry', 'sad', 'relaxed', 'surprised', 'neutral'];
/** @type {Array<keyof Visemes>} */
const VISEMES = ['aa', 'ih', 'ou', 'ee', 'oh'];
const FOV = { bust: 30, full: 40 };
/** The last frame intervals (ms), for the benchmark. */
const frameLog = /** @type {number[]} */ ([]);

/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo);
/** @returns {ExpressionWeights} */
const zero = () => ({ happy: 0, angry: 0, sad: 0, relaxed: 0, surprised: 0, neutral: 0 });
/** @param {unknown} err */
const reasonOf = (err) => String(err instanceof Error ? err.message : err).replace(/\s+/g, ' ').slice(0, 180) || 'unknown error';

/**
 * @param {PickleVrmStageOptions} opts
 * @returns {PickleVrmStage}
 */
function show(opts) {
  let disposed = false;
  let from = zero();
  let to = zero();
  let easeStart = 0;
  let easeMs = 0;
  let blinkStart = -1;
  let blinkMs = 140;
  let gaze = { yaw: 0, pitch: 0 };
  let stop = () => {};

  /** The expression weights now, on the way from `from` to `to`. */
  const current = (/** @type {number} */ now) => {
    const p = easeMs > 0 ? clamp((now - easeStart) / easeMs, 0, 1) : 1;
    const e = p < 0.5 ? 2 * p * p : 1 - Math.pow(-2 * p + 2, 2) / 2;
    const w = zero();
    for (const k of EXPRESSIONS) w[k] = from[k] + (to[k] - from[k]) * e;
    return w;
  };

  start().catch((err) => {
    if (!disposed) opts.failed(reasonOf(err));
    stop();
  });

  return {
    expression(p) {
      const now = performance.now();
      from = current(now);
      to = zero();
      for (const k of EXPRESSIONS) to[k] = clamp(Number(p.weights[k]), 0, 1);
      easeStart = now;
      easeMs = clamp(Number(p.easeMs), 0, 5000);
    },
    blink(p) {
      blinkStart = performance.now();
      blinkMs = clamp(Number(p.ms), 60, 600);
    },
    gaze(p) {
      gaze = { yaw: clamp(Number(p.yaw), -15, 15), pitch: clamp(Number(p.pitch), -15, 15) };
    },
    speaking() {},
    dispose() {
      disposed = true;
      stop();
    },
  };

  async function start() {
    const THREE = await import('three');
    const { GLTFLoader } = await import('three/addons/loaders/GLTFLoader.js');
    const { VRMLoaderPlugin, VRMUtils } = /** @type {ThreeVrmModule} */ (/** @type {unknown} */ (await import('@pixiv/three-vrm')));
    if (disposed) return;
    const canvas = opts.canvas;
    const renderer = new THREE.WebGLRenderer({ canvas, alpha: true, antialias: true, premultipliedAlpha: true, powerPreference: 'low-power' });
    renderer.setClearColor(0x000000, 0);
    renderer.outputColorSpace = THREE.SRGBColorSpace;
    renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    const scene = new THREE.Scene();
    scene.add(new THREE.AmbientLight(0xffffff, 1.1));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(0.6, 1.6, 2.2);
    scene.add(sun);
    const camera = new THREE.PerspectiveCamera(FOV[opts.model.framing], 1, 0.05, 60);

    const loader = new GLTFLoader();
    loader.register((parser) => new VRMLoaderPlugin(parser));
    const gltf = await loader.loadAsync(opts.model.url);
    const vrm = /** @type {VrmLike | undefined} */ (gltf.userData['vrm']);
    if (!vrm) throw new Error('the file has no VRM data');
    if (disposed) return;
    VRMUtils.removeUnnecessaryVertices(gltf.scene);
    VRMUtils.rotateVRM0(vrm);
    scene.add(vrm.scene);
    vrm.scene.traverse((o) => (o.frustumCulled = false));
    const legacy = vrm.meta && vrm.meta.metaVersion === '0';
    const name = String((legacy ? vrm.meta.title : vrm.meta.name) || '').slice(0, 80);
    const version = legacy ? '0.x' : '1.0';
    const has = new Set(vrm.expressionManager ? vrm.expressionManager.expressions.map((e) => e.expressionName) : []);
    const bone = (/** @type {string} */ n) => vrm.humanoid.getNormalizedBoneNode(n);

    // Arms down from the T-pose the models are rigged in.
    const lArm = bone('leftUpperArm');
    const rArm = bone('rightUpperArm');
    if (lArm) lArm.rotation.z = -1.2;
    if (rArm) rArm.rotation.z = 1.2;

    // Framing: head and shoulders, or the whole body, at the distance asked.
    vrm.update(0);
    vrm.scene.updateMatrixWorld(true);
    const headPos = new THREE.Vector3();
    (bone('head') || vrm.scene).getWorldPosition(headPos);
    const box = new THREE.Box3().setFromObject(vrm.scene);
    const aim = opts.model.framing === 'bust' ? new THREE.Vector3(0, headPos.y + 0.05, 0) : box.getCenter(new THREE.Vector3());
    camera.position.set(aim.x, aim.y + 0.03, opts.model.distance);
    camera.lookAt(aim);
    const eyesTarget = new THREE.Object3D();
    scene.add(eyesTarget);
    if (vrm.lookAt) vrm.lookAt.target = eyesTarget;
    const eyes = { yaw: 0, pitch: 0 };

    // Idle: the persona's .vrma, or breathing and sway.
    /** @type {import('three').AnimationMixer | null} */
    let mixer = null;
    if (opts.model.idle) {
      try {
        const anim = /** @type {ThreeVrmAnimationModule} */ (/** @type {unknown} */ (await import('@pixiv/three-vrm-animation')));
        const idleLoader = new GLTFLoader();
        idleLoader.register((parser) => new anim.VRMAnimationLoaderPlugin(parser));
        const idle = await idleLoader.loadAsync(opts.model.idle);
        const clipOf = idle.userData['vrmAnimations'] && idle.userData['vrmAnimations'][0];
        if (clipOf) {
          mixer = new THREE.AnimationMixer(vrm.scene);
          mixer.clipAction(anim.createVRMAnimationClip(clipOf, vrm)).play();
        }
      } catch (err) {
        console.warn('idle animation not used:', reasonOf(err));
      }
    }
    const spine = bone('spine');
    const chest = bone('chest') || spine;
    const hips = bone('hips');
    const neck = bone('neck');

    let last = performance.now();
    let frames = 0;
    let since = last;
    let raf = 0;
    let reported = false;
    const size = { w: 0, h: 0 };
    stop = () => {
      if (raf) cancelAnimationFrame(raf);
      raf = 0;
      renderer.dispose();
      renderer.forceContextLoss();
    };

    const frame = (/** @type {number} */ now) => {
      raf = requestAnimationFrame(frame);
      const dt = Math.min(0.1, Math.max(0, (now - last) / 1000));
      frameLog.push(now - last);
      if (frameLog.length > 1200) frameLog.splice(0, frameLog.length - 1200);
      last = now;
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      if (w !== size.w || h !== size.h) {
        size.w = w;
        size.h = h;
        renderer.setSize(w, h, false);
        camera.aspect = w / Math.max(1, h);
        camera.updateProjectionMatrix();
      }

      const weights = current(now);
      const em = vrm.expressionManager;
      if (em) {
        for (const k of EXPRESSIONS) if (has.has(k)) em.setValue(k, weights[k]);
        let blink = 0;
        if (blinkStart >= 0) {
          const q = (now - blinkStart) / blinkMs;
          if (q >= 1) blinkStart = -1;
          else blink = q < 0.5 ? q * 2 : 2 - q * 2;
        }
        if (has.has('blink')) em.setValue('blink', blink);
        const mouth = opts.visemes();
        let open = 0;
        for (const v of VISEMES) {
          if (has.has(v)) em.setValue(v, clamp(mouth[v], 0, 1));
          open += mouth[v];
        }
        canvas.dataset['mouth'] = open.toFixed(2);
        canvas.dataset['happy'] = weights.happy.toFixed(2);
      }

      // Saccades are quick (tens of ms); the eyes settle on where they were told to look.
      const k = 1 - Math.exp(-dt / 0.03);
      eyes.yaw += (gaze.yaw - eyes.yaw) * k;
      eyes.pitch += (gaze.pitch - eyes.pitch) * k;
      const d = camera.position.distanceTo(aim);
      eyesTarget.position.set(camera.position.x + Math.tan((eyes.yaw * Math.PI) / 180) * d, camera.position.y + Math.tan((eyes.pitch * Math.PI) / 180) * d, camera.position.z);

      if (mixer) mixer.update(dt);
      else {
        const t = now / 1000;
        if (chest) chest.rotation.x = Math.sin((t * 2 * Math.PI) / 4.2) * 0.015;
        if (hips) hips.rotation.z = Math.sin((t * 2 * Math.PI) / 7.5) * 0.015;
        if (neck) neck.rotation.y = Math.sin((t * 2 * Math.PI) / 9.5) * 0.03;
      }
      vrm.update(dt);
      renderer.render(scene, camera);

      frames++;
      if (!reported || now - since >= 2000) {
        const fps = reported ? (frames * 1000) / (now - since) : 0;
        frames = 0;
        since = now;
        reported = true;
        let strongest = /** @type {VrmExpression} */ ('neutral');
        for (const x of EXPRESSIONS) if (weights[x] > weights[strongest]) strongest = x;
        opts.report({ model: name, version, fps, expression: strongest });
      }
    };
    raf = requestAnimationFrame(frame);
  }
}

window.PickleVrm = { show, frameTimes: () => frameLog.slice() };
window.dispatchEvent(new Event('pickle-vrm-ready'));
