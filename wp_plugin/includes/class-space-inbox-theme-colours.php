<?php
/**
 * The theme's own colours for the plugin's stylesheets: badge.css draws every control of
 * the inbox from its --space-inbox-* custom properties, which take the theme's colours
 * (printed here as --space-inbox-theme-*) before the plugin's own palette.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Reads the theme's theme.json styles and hands them to badge.css.
 */
final class Space_Inbox_Theme_Colours {

	/**
	 * Hands badge.css the theme's own colours (once a page), on the front end of a theme
	 * with a theme.json: badge.css then draws every control with them, before its presets
	 * and its own palette.
	 *
	 * @param string $handle The badge's stylesheet handle.
	 * @return void
	 */
	public static function add( $handle ) {
		static $added = false;
		if ( $added || is_admin() ) {
			return;
		}
		$added = true;
		$css   = self::css();
		if ( '' !== $css ) {
			wp_add_inline_style( $handle, $css );
		}
	}

	/**
	 * The theme's colours as custom properties (--space-inbox-theme-*), from the styles of
	 * its theme.json with the site's own changes (wp_get_global_styles(), WordPress 5.9):
	 * its text on its background, its buttons' text on their background (and on hover), its
	 * links, its buttons' corners; and the colours the plugin mixes from them (muted text,
	 * borders, the selected row, danger). A colour is taken only with the one it is drawn
	 * on, so that their contrast is the theme's. On body, where WordPress 6.1 defines the
	 * presets these values name. '' for a theme without theme.json, which says nothing a
	 * stylesheet could read: badge.css then uses the plugin's own palette.
	 *
	 * @return string CSS.
	 */
	public static function css() {
		$has_theme_json = function_exists( 'wp_theme_has_theme_json' )
			? wp_theme_has_theme_json()
			: ( class_exists( 'WP_Theme_JSON_Resolver' ) && WP_Theme_JSON_Resolver::theme_has_support() );
		if ( ! $has_theme_json || ! function_exists( 'wp_get_global_styles' ) ) {
			return '';
		}
		$styles = wp_get_global_styles();
		$read   = static function ( array $path ) use ( $styles ) {
			$value = $styles;
			foreach ( $path as $key ) {
				if ( ! is_array( $value ) || ! isset( $value[ $key ] ) ) {
					return '';
				}
				$value = $value[ $key ];
			}
			return self::css_value( $value );
		};
		$pair   = static function ( array $paths ) use ( $read ) {
			$found = array_filter( array_map( $read, $paths ), 'strlen' );
			return count( $found ) === count( $paths ) ? $found : array();
		};
		$mix    = static function ( $colour, $percent, $with ) {
			return sprintf( 'color-mix(in srgb, %s %d%%, %s)', $colour, $percent, $with );
		};
		$text   = 'var(--space-inbox-theme-text)';
		$ground = 'var(--space-inbox-theme-surface)';
		$values = array();
		$page   = $pair(
			array(
				'surface' => array( 'color', 'background' ),
				'text'    => array( 'color', 'text' ),
			)
		);
		if ( $page ) {
			$values = $page + array(
				'muted'          => $mix( $text, 72, $ground ),
				'surface-alt'    => $mix( $text, 6, $ground ),
				'border'         => $mix( $text, 22, $ground ),
				'field-border'   => $mix( $text, 55, $ground ),
				'selected'       => $mix( 'var(--space-inbox-accent)', 10, $ground ),
				'danger'         => $mix( '#d63638', 65, $text ),
				'positive'       => $mix( '#00a32a', 60, $text ),
				'notice'         => $mix( '#dba617', 12, $ground ),
				'link'           => $text,
				'focus'          => $text,
				// The theme's page, light or dark: the plugin draws no canvas of its own on it.
				'canvas'         => 'transparent',
				'canvas-padding' => '0',
				'scheme'         => 'normal',
			);
		}
		$button = $pair(
			array(
				'accent'      => array( 'elements', 'button', 'color', 'background' ),
				'accent-text' => array( 'elements', 'button', 'color', 'text' ),
			)
		);
		if ( $button ) {
			$hover  = $pair(
				array(
					'accent-hover'      => array( 'elements', 'button', ':hover', 'color', 'background' ),
					'accent-hover-text' => array( 'elements', 'button', ':hover', 'color', 'text' ),
				)
			);
			$values = array_merge(
				$values,
				$button,
				$hover ? $hover : array(
					'accent-hover'      => $mix( 'var(--space-inbox-theme-accent)', 85, 'var(--space-inbox-theme-text, #000)' ),
					'accent-hover-text' => 'var(--space-inbox-theme-accent-text)',
				)
			);
		}
		$values = array_merge(
			$values,
			$pair( array( 'link' => array( 'elements', 'link', 'color', 'text' ) ) ),
			$pair( array( 'button-radius' => array( 'elements', 'button', 'border', 'radius' ) ) )
		);

		/**
		 * Filters the theme's colours handed to the plugin's stylesheets, as the values of
		 * their --space-inbox-theme-* custom properties (surface, text, muted, surface-alt,
		 * border, field-border, selected, danger, positive, notice, link, focus, accent,
		 * accent-text, accent-hover, accent-hover-text, button-radius, canvas,
		 * canvas-padding, scheme; see badge.css).
		 *
		 * @since 0.1.0
		 *
		 * @param string[] $values CSS values by name, from the theme's theme.json.
		 */
		$values = (array) apply_filters( 'space_inbox_theme_colours', $values );
		$lines  = array();
		foreach ( $values as $name => $value ) {
			$value = self::css_value( $value );
			if ( '' !== $value && preg_match( '/^[a-z-]+$/', (string) $name ) ) {
				$lines[] = '--space-inbox-theme-' . $name . ':' . $value . ';';
			}
		}
		return array() === $lines ? '' : 'body{' . implode( '', $lines ) . '}';
	}

	/**
	 * A theme.json value as CSS: `var:preset|color|base` as `var(--wp--preset--color--base)`;
	 * '' for anything but a plain value (a colour, a length, var(), color-mix()).
	 *
	 * @param mixed $value A value of theme.json's styles.
	 * @return string
	 */
	private static function css_value( $value ) {
		if ( ! is_string( $value ) ) {
			return '';
		}
		$value = trim( $value );
		if ( preg_match( '/^var:([a-z0-9|_-]+)$/i', $value, $m ) ) {
			$value = 'var(--wp--' . str_replace( '|', '--', $m[1] ) . ')';
		}
		return preg_match( '/^[a-z0-9#%().,\s\/-]{1,200}$/i', $value ) ? $value : '';
	}
}
