/* The bundle's entry (scripts/bundle.mjs): window.KetaminePlanner and <ketamine-planner>.
 * Included twice, the first copy stays. */
import { KetaminePlanner } from './engine.js';
import { KetaminePlannerElement } from './element.js';

if (!window.KetaminePlanner) window.KetaminePlanner = KetaminePlanner;
if (window.customElements && !customElements.get('ketamine-planner')) customElements.define('ketamine-planner', KetaminePlannerElement);
