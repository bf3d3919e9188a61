/*
 * stylelint for the plugin's stylesheets, the WordPress way (make lint-js): the rules of
 * `@wordpress/stylelint-config`, with two set for these sheets.
 */
export default {
	extends: '@wordpress/stylelint-config',
	rules: {
		// The plugin's classes are BEM blocks, elements and modifiers
		// (`space-inbox__item-title`, `space-inbox-button--admin`): lowercase words with
		// hyphens, joined by `__` and `--`.
		'selector-class-pattern': [
			'^[a-z][a-z0-9]*(-[a-z0-9]+)*(__[a-z0-9]+(-[a-z0-9]+)*)?(--[a-z0-9]+(-[a-z0-9]+)*)?$',
			{
				message:
					'Selector should be lowercase words separated by hyphens, in BEM form (block__element--modifier)',
			},
		],
		// Off, as in Gutenberg's own configuration. The sheets order their rules by component
		// and outrank theme, toolbar and Spaces Engine rules on purpose (one selector list
		// mixes `a.x` and `a.x:visited`; `.space-inbox-action` stays last and one class
		// strong so that theme rules win): reordering them for this rule would change which
		// rules win.
		'no-descending-specificity': null,
	},
};
