package com.marketplace.chat.standalone;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the try-it page at {@code /} from {@code classpath:/standalone/}, standalone
 * mode only.
 */
@Configuration(proxyBeanMethods = false)
@Profile("standalone")
class StandalonePage implements WebMvcConfigurer {

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler("/index.html", "/app.js", "/app.css")
			.addResourceLocations("classpath:/standalone/");
	}

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addViewController("/").setViewName("forward:/index.html");
	}

}
