package com.marketplace.chat;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModules;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages are modules with one-way dependencies: ws on top, security and chats at
 * the bottom.
 */
class ModularityTests {

	private final ApplicationModules modules = ApplicationModules.of(ChatApplication.class);

	@Test
	void modulesHaveNoCyclesAndUseOnlyEachOthersPublicTypes() {
		this.modules.verify();
	}

	@Test
	void nothingBelowTheWebSocketLayerDependsOnIt() {
		this.modules.forEach((module) -> {
			if (!module.getIdentifier().toString().equals("ws")) {
				assertThat(module.getBootstrapDependencies(this.modules)
					.map((dependency) -> dependency.getIdentifier().toString()))
					.as(module.getIdentifier() + " must not depend on ws")
					.doesNotContain("ws");
			}
		});
		assertThat(this.modules.getModuleByName("fanout")
			.orElseThrow()
			.getDirectDependencies(this.modules)
			.uniqueModules()
			.map((dependency) -> dependency.getIdentifier().toString())).doesNotContain("ws");
	}

}
