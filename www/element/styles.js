/* The element's stylesheet (www/planner.css, minified into the bundle as kp:css). */
import CSS from 'kp:css';

let sheet = null;

/** A constructable stylesheet (a strict style-src on the host page does not block it), else a <style>. */
export function adoptStyles(root) {
  if ('adoptedStyleSheets' in Document.prototype && typeof CSSStyleSheet === 'function') {
    try {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
      return;
    } catch (e) { /* fall through */ }
  }
  const style = document.createElement('style');
  style.textContent = CSS;
  root.appendChild(style);
}
