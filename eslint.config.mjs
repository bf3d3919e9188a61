/*
 * ESLint for the plugin's scripts, the WordPress way (make lint-js): the recommended rules
 * of `@wordpress/eslint-plugin`, its Prettier formatting (WordPress' fork) included.
 */
import wordpress from '@wordpress/eslint-plugin';
import globals from 'globals';

export default [
	...wordpress.configs.recommended,
	{
		// The browser modules of members' and teams' pages (script tags of type="module").
		files: [ 'wp_plugin/assets/*.js' ],
		languageOptions: {
			ecmaVersion: 2022,
			sourceType: 'module',
			globals: { ...globals.browser },
		},
	},
	{
		// The admin pages' classic scripts.
		files: [ 'wp_plugin/admin/*.js' ],
		languageOptions: {
			ecmaVersion: 2022,
			sourceType: 'script',
			globals: { ...globals.browser },
		},
	},
];
