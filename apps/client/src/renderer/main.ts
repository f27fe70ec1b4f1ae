import './styles.css';
import { mountLockView } from './lock-view.js';
import { wordsFor } from '../lock/messages.js';

const root = document.getElementById('app');
if (root && window.latchkey) mountLockView(root, window.latchkey);
else if (root) root.textContent = wordsFor(navigator.language).t('page.notInLock');
