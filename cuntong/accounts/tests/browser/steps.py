"""Browser steps the login-security and roster tests share."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from cuntong.web.testing import PASSWORD, current_totp


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")


def enter_code(page, code: int) -> None:
    page.fill("#id_token", f"{code:06d}")
    page.click("form button[type=submit]")


def sign_in_with_device(page, user) -> TOTPDevice:
    """Sign in an account that needs two factors, with a confirmed device whose code the test computes."""
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    sign_in(page, user.username)
    page.wait_for_url("**/accounts/otp/verify/")
    enter_code(page, current_totp(device))
    page.wait_for_url(lambda url: "/accounts/" not in url)
    return device


def sign_out(page) -> None:
    if page.locator(".navbar-toggler").is_visible():  # a phone: the menu is folded away
        page.click(".navbar-toggler")
        # A click during the unfolding animation can be lost: wait until the menu has finished opening.
        page.wait_for_selector(".navbar-collapse.collapse.show")
    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_url("**/accounts/login/**")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
