<?php
/**
 * The demo theme's only template: a header, the loop (the_content on single posts and
 * pages, excerpts in lists), a footer.
 *
 * @package Space_Inbox_Demo
 */

defined( 'ABSPATH' ) || exit;

$space_inbox_demo_spaces = get_post_type_archive_link( space_inbox_demo_post_type() );
?><!DOCTYPE html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo( 'charset' ); ?>">
<meta name="viewport" content="width=device-width, initial-scale=1">
<?php wp_head(); ?>
</head>
<body <?php body_class(); ?>>
<?php wp_body_open(); ?>
<header class="demo-header">
	<a class="demo-brand" href="<?php echo esc_url( home_url( '/' ) ); ?>"><?php bloginfo( 'name' ); ?></a>
	<nav class="demo-nav">
		<?php if ( $space_inbox_demo_spaces ) : ?>
			<a href="<?php echo esc_url( $space_inbox_demo_spaces ); ?>">Spaces</a>
		<?php endif; ?>
		<?php if ( is_user_logged_in() ) : ?>
			<a href="<?php echo esc_url( space_inbox_demo_inbox_url() ); ?>">Space Messages</a>
			<a href="<?php echo esc_url( admin_url() ); ?>">wp-admin</a>
			<span class="demo-user"><?php echo esc_html( wp_get_current_user()->display_name ); ?></span>
			<a href="<?php echo esc_url( wp_logout_url( home_url( '/' ) ) ); ?>">Log out</a>
		<?php else : ?>
			<a href="<?php echo esc_url( wp_login_url( is_singular() ? (string) get_permalink() : home_url( '/' ) ) ); ?>">Log in</a>
		<?php endif; ?>
	</nav>
</header>
<main class="demo-main">
<?php if ( have_posts() && is_singular() ) : ?>
	<?php
	while ( have_posts() ) :
		the_post();
		?>
		<article <?php post_class(); ?>>
			<h1><?php the_title(); ?></h1>
			<?php the_content(); ?>
		</article>
	<?php endwhile; ?>
<?php elseif ( have_posts() ) : ?>
	<h1><?php echo esc_html( is_post_type_archive() ? post_type_archive_title( '', false ) : get_bloginfo( 'name' ) ); ?></h1>
	<ul class="demo-list">
		<?php
		while ( have_posts() ) :
			the_post();
			?>
			<li>
				<h2><a href="<?php the_permalink(); ?>"><?php the_title(); ?></a></h2>
				<?php the_excerpt(); ?>
			</li>
		<?php endwhile; ?>
	</ul>
	<?php the_posts_navigation(); ?>
<?php else : ?>
	<h1>Nothing here</h1>
	<p><a href="<?php echo esc_url( home_url( '/' ) ); ?>">Back to the start</a></p>
<?php endif; ?>
</main>
<footer class="demo-footer">
	Space Inbox demo: WordPress, the Space Inbox plugin and the bridge, on this machine only.
</footer>
<?php wp_footer(); ?>
</body>
</html>
