import './styles.css';
import { mountLockView } from './lock-view.js';

const root = document.getElementById('app');
if (root && window.latchkey) mountLockView(root, window.latchkey);
else if (root) root.textContent = 'This page runs inside the Latchkey lock window only.';
